namespace Messenger.Grains.Interfaces.Models;

/// <summary>
/// A member's request to append a message; <see cref="ClientMessageId"/> makes it idempotent.
/// <see cref="ClientApiId"/> names the ClientApi that carries the send, when there is one: it
/// delivers the message to its own sessions from the answer (<see cref="SendResult.Push"/>), so
/// the push streams skip it.
/// </summary>
[GenerateSerializer, Immutable, Alias("messenger.SendMessageCommand")]
public sealed record SendMessageCommand(
    [property: Id(0)] string SenderId,
    [property: Id(1)] string ClientMessageId,
    [property: Id(2)] string Text,
    [property: Id(3)] long? ReplyTo,
    [property: Id(4)] string? ClientApiId = null);
