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
    /// Interleaves, so that sends arriving while one commits can join the next commit.
    /// <paramref name="cancellationToken"/> lets the caller stop waiting for the answer (the
    /// ClientApi does when the gateway the answer would come back through goes away); the send
    /// itself is not withdrawn, so a repeat finds it stored or queued.
    /// </summary>
    [Alias("Send"), AlwaysInterleave]
    Task<SendResult> Send(SendMessageCommand command, CancellationToken cancellationToken = default);

    [Alias("GetMessages"), AlwaysInterleave]
    Task<MessagePage> GetMessages(string userId, HistoryQuery query);

    /// <summary>Moves the member's read position forward (never back) and tells the members.</summary>
    [Alias("MarkRead")]
    Task MarkRead(string userId, long seq);

    /// <summary>
    /// Changes the text of the sender's own message and tells the members. <c>not_found</c> for
    /// an unknown seq, <c>forbidden</c> for someone else's message, <c>conflict</c> once deleted.
    /// Seqs, lastSeq and read positions do not change.
    /// </summary>
    [Alias("EditMessage")]
    Task EditMessage(string userId, long seq, string text);

    /// <summary>
    /// Erases a message's text, keeping its seq as a tombstone, and tells the members. Allowed
    /// to the sender and to a group's owners and admins; deleting a deleted message is a no-op.
    /// </summary>
    [Alias("DeleteMessage")]
    Task DeleteMessage(string userId, long seq);

    /// <summary>
    /// Tells the other members that the user is (or stopped) typing. Ephemeral, never stored;
    /// <c>typing: true</c> ends by itself after a few seconds with a <c>typing: false</c> event.
    /// Interleaves with a send waiting for its commit: it touches only in-memory state.
    /// </summary>
    [Alias("SetTyping"), AlwaysInterleave]
    Task SetTyping(string userId, bool typing);

    /// <summary>
    /// Called by the relationship grain of a direct conversation's two users: while blocked,
    /// neither can open or write in it (<c>blocked</c>). Kept even before the conversation exists.
    /// </summary>
    [Alias("SetBlocked")]
    Task SetBlocked(bool blocked);
}
