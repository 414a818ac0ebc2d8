namespace Messenger.ClientApi.Contracts;

/// <summary>A member of a conversation.</summary>
/// <param name="UserId">The member's user id.</param>
/// <param name="Username">The member's username.</param>
/// <param name="Role"><c>owner</c>, <c>admin</c> or <c>member</c>.</param>
/// <param name="ReadSeq">How far the member has read.</param>
public sealed record MemberResponse(string UserId, string Username, string Role, long ReadSeq);
