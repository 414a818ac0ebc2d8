namespace Messenger.ClientApi.Contracts;

/// <summary>A conversation with its members.</summary>
/// <param name="ConversationId">Opaque id.</param>
/// <param name="Kind"><c>direct</c> or <c>group</c>.</param>
/// <param name="Title">The group's title; for a direct conversation, the other user's username.</param>
/// <param name="LastSeq">Seq of the newest message (0 when none).</param>
/// <param name="Members">Everyone in it, with role and read position.</param>
public sealed record ConversationResponse(string ConversationId, string Kind, string? Title, long LastSeq, IReadOnlyList<MemberResponse> Members);
