namespace Messenger.Grains.Interfaces.Models;

/// <summary>
/// The relationship grain's truth about a pair, as one side should cache it. <see cref="Version"/>
/// grows with every change of the pair, so a user grain ignores an update older than what it has.
/// </summary>
[GenerateSerializer, Immutable, Alias("messenger.ContactUpdate")]
public sealed record ContactUpdate(
    [property: Id(0)] UserProfile Other,
    [property: Id(1)] ContactState State,
    [property: Id(2)] bool BlockedByMe,
    [property: Id(3)] long Version);
