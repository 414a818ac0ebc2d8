namespace Messenger.ClientApi.Contracts;

/// <summary>One conversation in the caller's list.</summary>
/// <param name="ConversationId">Opaque id.</param>
/// <param name="Kind"><c>direct</c> or <c>group</c>.</param>
/// <param name="Title">The group's title; for a direct conversation, the other user's username.</param>
/// <param name="LastSeq">Seq of the newest message (0 when none).</param>
/// <param name="ReadSeq">The caller's read position.</param>
/// <param name="UnreadCount"><c>lastSeq − readSeq</c>.</param>
/// <param name="LastMessage">The newest message, when there is one.</param>
public sealed record ConversationListItem(
    string ConversationId, string Kind, string? Title, long LastSeq, long ReadSeq, long UnreadCount, MessageResponse? LastMessage);
