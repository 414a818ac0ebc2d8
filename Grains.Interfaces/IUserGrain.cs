using Messenger.Grains.Interfaces.Models;

namespace Messenger.Grains.Interfaces;

/// <summary>
/// Keyed by user id: the profile, the user's conversations, and the live sessions (which
/// ClientApi holds each: presence, the ready snapshot, closing a device's sockets).
/// </summary>
[Alias("messenger.IUserGrain")]
public interface IUserGrain : IGrainWithStringKey
{
    [Alias("Initialize")]
    Task<UserProfile> Initialize(string username, string displayName);

    /// <summary>The profile, or null when no account has this id.</summary>
    [Alias("GetProfile")]
    Task<UserProfile?> GetProfile();

    /// <summary>Profile plus presence as others see it.</summary>
    [Alias("GetStatus")]
    Task<UserStatus?> GetStatus();

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
