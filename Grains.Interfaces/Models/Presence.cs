namespace Messenger.Grains.Interfaces.Models;

/// <summary>A user's availability: one of <see cref="PresenceStatuses"/> and an optional note.</summary>
[GenerateSerializer, Immutable, Alias("messenger.Presence")]
public sealed record Presence(
    [property: Id(0)] string Status,
    [property: Id(1)] string? Note);
