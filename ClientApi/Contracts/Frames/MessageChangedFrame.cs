namespace Messenger.ClientApi.Contracts.Frames;

/// <summary>A stored message changed: <c>message.edited</c> (with the new text) or <c>message.deleted</c> (without).</summary>
/// <param name="ConversationId">The conversation.</param>
/// <param name="Seq">The message's seq; unchanged.</param>
/// <param name="Text">The new text (edits only).</param>
/// <param name="EditedAt">When it was edited (edits only).</param>
public sealed record MessageChangedFrame(string ConversationId, long Seq, string? Text = null, DateTime? EditedAt = null);
