namespace Messenger.ClientApi.Contracts;

/// <summary>An account as others see it.</summary>
/// <param name="UserId">Opaque user id.</param>
/// <param name="Username">The username as first registered.</param>
/// <param name="DisplayName">The name to show.</param>
/// <param name="Presence">Only for the caller themselves and for the caller's accepted contacts.</param>
public sealed record UserResponse(string UserId, string Username, string DisplayName, PresenceResponse? Presence = null);
