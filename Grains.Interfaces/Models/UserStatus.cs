namespace Messenger.Grains.Interfaces.Models;

/// <summary>A user's profile with the presence others would see right now.</summary>
[GenerateSerializer, Immutable, Alias("messenger.UserStatus")]
public sealed record UserStatus(
    [property: Id(0)] UserProfile Profile,
    [property: Id(1)] string Presence,
    [property: Id(2)] string? PresenceNote);
