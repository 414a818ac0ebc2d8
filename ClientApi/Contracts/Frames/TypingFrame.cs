namespace Messenger.ClientApi.Contracts.Frames;

/// <summary>Another member started or stopped typing; <c>true</c> ends by itself with a <c>false</c> after 6 s.</summary>
/// <param name="ConversationId">The conversation.</param>
/// <param name="UserId">Who is typing.</param>
/// <param name="Typing">Whether they are typing now.</param>
public sealed record TypingFrame(string ConversationId, string UserId, bool Typing);
