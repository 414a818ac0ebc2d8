namespace Messenger.Grains.Interfaces.Push;

/// <summary>
/// What a user's contacts see of them changed; becomes the <c>presence</c> frame.
/// <see cref="Status"/> is one of <see cref="Models.PresenceStatuses"/>, never <c>invisible</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("messenger.PresenceChanged")]
public sealed record PresenceChanged(
    [property: Id(0)] string UserId,
    [property: Id(1)] string Username,
    [property: Id(2)] string Status,
    [property: Id(3)] string? Note) : PushEvent;
