namespace Messenger.Grains.Interfaces.Models;

/// <summary>The stored position of a sent message: answered only after the row is in PostgreSQL.</summary>
[GenerateSerializer, Immutable, Alias("messenger.SendResult")]
public sealed record SendResult(
    [property: Id(0)] string ConversationId,
    [property: Id(1)] long Seq,
    [property: Id(2)] DateTimeOffset SentAt,
    [property: Id(3)] string ClientMessageId);
