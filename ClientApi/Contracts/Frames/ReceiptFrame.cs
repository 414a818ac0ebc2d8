namespace Messenger.ClientApi.Contracts.Frames;

/// <summary>A member's read position moved.</summary>
/// <param name="ConversationId">The conversation.</param>
/// <param name="UserId">The member who read.</param>
/// <param name="ReadSeq">Their new read position.</param>
public sealed record ReceiptFrame(string ConversationId, string UserId, long ReadSeq);
