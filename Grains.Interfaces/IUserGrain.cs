using Messenger.Grains.Interfaces.Models;

namespace Messenger.Grains.Interfaces;

/// <summary>
/// Keyed by user id: the profile, the user's conversations, a cache of the user's side of each
/// relationship (contacts, requests, blocks; the truth is in <see cref="IRelationshipGrain"/>),
/// the chosen presence, and the live sessions (which ClientApi holds each: presence, the ready
/// snapshot, closing a device's sockets).
/// </summary>
[Alias("messenger.IUserGrain")]
public interface IUserGrain : IGrainWithStringKey
{
    [Alias("Initialize")]
    Task<UserProfile> Initialize(string username, string displayName);

    /// <summary>The profile, or null when no account has this id.</summary>
    [Alias("GetProfile")]
    Task<UserProfile?> GetProfile();

    /// <summary>Profile plus the user's own view of their presence (their chosen status while a session is live).</summary>
    [Alias("GetStatus")]
    Task<UserStatus?> GetStatus();

    /// <summary>
    /// The presence <paramref name="viewerId"/> may see: for an accepted contact what contacts see
    /// (<c>offline</c> when invisible or without a live session), for anyone else null.
    /// Interleaves: it only reads, and user grains ask each other for it.
    /// </summary>
    [Alias("GetPresenceFor"), AlwaysInterleave]
    Task<Presence?> GetPresenceFor(string viewerId);

    /// <summary>Sets the chosen status (<c>online</c>, <c>away</c>, <c>busy</c>, <c>invisible</c>) and note; contacts are told when what they see changes.</summary>
    [Alias("SetPresence")]
    Task SetPresence(Presence presence);

    /// <summary>The contact list: accepted contacts and pending requests both ways.</summary>
    [Alias("ListContacts")]
    Task<IReadOnlyList<ContactInfo>> ListContacts();

    /// <summary>The users this user blocks.</summary>
    [Alias("ListBlocks")]
    Task<IReadOnlyList<UserProfile>> ListBlocks();

    /// <summary>
    /// Called by the relationship grain: caches this user's side of a pair, tells the user's
    /// sessions (<c>contact</c> event) and, on a new acceptance, tells the new contact this
    /// user's presence. Updates older than the cached one are ignored.
    /// </summary>
    [Alias("ApplyContact")]
    Task ApplyContact(ContactUpdate update);

    [Alias("AddConversation")]
    Task AddConversation(string conversationId);

    [Alias("RemoveConversation")]
    Task RemoveConversation(string conversationId);

    /// <summary>The user's conversations, latest activity first.</summary>
    [Alias("ListConversations")]
    Task<IReadOnlyList<ConversationSummary>> ListConversations();

    /// <summary>
    /// Registers a live session and returns where each of the user's conversations stands,
    /// which becomes the session's <c>ready</c> frame.
    /// </summary>
    [Alias("Connect")]
    Task<IReadOnlyList<ConversationPosition>> Connect(SessionLease session);

    [Alias("Disconnect")]
    Task Disconnect(string sessionId);

    /// <summary>
    /// Extends the leases of sessions a ClientApi still holds. Sessions not renewed within
    /// the lease are dropped, so a crashed ClientApi cannot leave the user online forever.
    /// Also re-registers sessions this activation has not seen (after the grain moved).
    /// </summary>
    [Alias("RenewSessions")]
    Task RenewSessions(IReadOnlyList<SessionLease> sessions);

    /// <summary>Closes the sockets of one device (after logout).</summary>
    [Alias("CloseDevice")]
    Task CloseDevice(string deviceId);
}
