using Messenger.Grains.Interfaces.Models;

namespace Messenger.Grains.Interfaces;

/// <summary>
/// Keyed by conversation id: kind, title, members and roles, read positions and the next
/// seq. Appends to the message log in PostgreSQL and fans events out to the members.
/// Every call names the acting user; callers who are not members get <c>not_found</c>.
/// </summary>
[Alias("messenger.IConversationGrain")]
public interface IConversationGrain : IGrainWithStringKey
{
    /// <summary>Get-or-create of the direct conversation whose id the two users determine.</summary>
    [Alias("OpenDirect")]
    Task<DirectConversationResult> OpenDirect(UserProfile caller, UserProfile other);

    /// <summary>Creates a group with the creator as owner and the others as members.</summary>
    [Alias("CreateGroup")]
    Task<ConversationDetails> CreateGroup(UserProfile creator, string title, IReadOnlyList<UserProfile> members);

    [Alias("GetDetails"), AlwaysInterleave]
    Task<ConversationDetails> GetDetails(string userId);

    /// <summary>This conversation as one line of the member's list, or null when not a member.</summary>
    [Alias("GetSummary"), AlwaysInterleave]
    Task<ConversationSummary?> GetSummary(string userId);

    [Alias("GetPosition"), AlwaysInterleave]
    Task<ConversationPosition?> GetPosition(string userId);

    [Alias("Rename")]
    Task Rename(string userId, string title);

    [Alias("AddMember")]
    Task AddMember(string userId, UserProfile member, MemberRole role);

    /// <summary>Removes a member: themselves (leave) or, for owners and admins, someone else.</summary>
    [Alias("RemoveMember")]
    Task RemoveMember(string userId, string memberId);

    /// <summary>
    /// Appends a message. Answers only after the row is stored; a repeated
    /// <see cref="SendMessageCommand.ClientMessageId"/> from the same sender returns the stored seq.
    /// </summary>
    [Alias("Send")]
    Task<SendResult> Send(SendMessageCommand command);

    [Alias("GetMessages"), AlwaysInterleave]
    Task<MessagePage> GetMessages(string userId, HistoryQuery query);

    /// <summary>Moves the member's read position forward (never back) and tells the members.</summary>
    [Alias("MarkRead")]
    Task MarkRead(string userId, long seq);
}
