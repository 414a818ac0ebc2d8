namespace Messenger.Grains.Interfaces.Models;

/// <summary>A member's request to append a message; <see cref="ClientMessageId"/> makes it idempotent.</summary>
[GenerateSerializer, Immutable, Alias("messenger.SendMessageCommand")]
public sealed record SendMessageCommand(
    [property: Id(0)] string SenderId,
    [property: Id(1)] string ClientMessageId,
    [property: Id(2)] string Text,
    [property: Id(3)] long? ReplyTo);
