namespace Messenger.Grains.Interfaces.Models;

/// <summary>One stored message of a conversation's log, as grains hand it around.</summary>
[GenerateSerializer, Immutable, Alias("messenger.MessageRecord")]
public sealed record MessageRecord(
    [property: Id(0)] string ConversationId,
    [property: Id(1)] long Seq,
    [property: Id(2)] string SenderId,
    [property: Id(3)] string SenderUsername,
    [property: Id(4)] string Text,
    [property: Id(5)] DateTimeOffset SentAt,
    [property: Id(6)] string ClientMessageId,
    [property: Id(7)] long? ReplyTo,
    [property: Id(8)] DateTimeOffset? EditedAt,
    [property: Id(9)] bool Deleted);
