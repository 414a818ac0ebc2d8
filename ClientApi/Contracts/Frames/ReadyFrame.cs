namespace Messenger.ClientApi.Contracts.Frames;

/// <summary>First frame of every session: who you are and where each conversation stands.</summary>
/// <param name="SessionId">This socket's session id.</param>
/// <param name="UserId">The signed-in user.</param>
/// <param name="Conversations">Each conversation's lastSeq and the user's readSeq; fetch <c>messages?after=</c> for those that moved.</param>
public sealed record ReadyFrame(string SessionId, string UserId, IReadOnlyList<ConversationPositionFrame> Conversations);
