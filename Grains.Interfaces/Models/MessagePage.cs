namespace Messenger.Grains.Interfaces.Models;

/// <summary>A page of history in ascending seq order, and whether more lies beyond it.</summary>
[GenerateSerializer, Immutable, Alias("messenger.MessagePage")]
public sealed record MessagePage(
    [property: Id(0)] IReadOnlyList<MessageRecord> Messages,
    [property: Id(1)] bool HasMore);
