namespace Messenger.ClientApi.Contracts;

/// <summary>One entry of the caller's contact list.</summary>
/// <param name="UserId">The other user's id.</param>
/// <param name="Username">The other user's username.</param>
/// <param name="DisplayName">The other user's display name.</param>
/// <param name="State"><c>accepted</c>, <c>outgoing</c> (the caller asked) or <c>incoming</c> (the other user asked).</param>
/// <param name="Presence">What the contact shows now; only for <c>accepted</c>.</param>
public sealed record ContactResponse(string UserId, string Username, string DisplayName, string State, PresenceResponse? Presence = null);
