namespace Messenger.ClientApi.Contracts;

/// <summary>A message.</summary>
/// <param name="ConversationId">The conversation.</param>
/// <param name="Seq">Position in the conversation: 1, 2, 3… with no gaps.</param>
/// <param name="SenderId">The sender's user id.</param>
/// <param name="SenderUsername">The sender's username.</param>
/// <param name="Text">The text (empty once deleted).</param>
/// <param name="SentAt">When it was stored (UTC).</param>
/// <param name="ClientMessageId">The sender's id for the send.</param>
/// <param name="ReplyTo">Seq of the message it answers.</param>
/// <param name="EditedAt">When it was last edited.</param>
/// <param name="Deleted">True for a deleted message's tombstone.</param>
public sealed record MessageResponse(
    string ConversationId, long Seq, string SenderId, string SenderUsername, string Text, DateTime SentAt,
    string ClientMessageId, long? ReplyTo = null, DateTime? EditedAt = null, bool? Deleted = null);
