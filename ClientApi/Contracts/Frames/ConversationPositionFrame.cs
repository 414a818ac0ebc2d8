namespace Messenger.ClientApi.Contracts.Frames;

/// <summary>Where one conversation stands, in the <c>ready</c> frame.</summary>
/// <param name="ConversationId">The conversation.</param>
/// <param name="LastSeq">Its newest seq.</param>
/// <param name="ReadSeq">The user's read position.</param>
public sealed record ConversationPositionFrame(string ConversationId, long LastSeq, long ReadSeq);
