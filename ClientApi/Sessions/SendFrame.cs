namespace Messenger.ClientApi.Sessions;

/// <summary>A validated client <c>send</c> frame.</summary>
public sealed record SendFrame(string ConversationId, string ClientMessageId, string Text, long? ReplyTo);
