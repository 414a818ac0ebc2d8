namespace Messenger.ClientApi.Contracts;

/// <summary>Where the message was stored. Sent only after it is durable in PostgreSQL.</summary>
/// <param name="ConversationId">The conversation.</param>
/// <param name="Seq">The message's position; the same on every retry of the same clientMessageId.</param>
/// <param name="SentAt">When the server accepted it (UTC).</param>
/// <param name="ClientMessageId">The client's id for the send.</param>
public sealed record SendMessageResponse(string ConversationId, long Seq, DateTime SentAt, string ClientMessageId);
