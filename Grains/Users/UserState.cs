namespace Messenger.Grains.Users;

/// <summary>
/// A user's persisted state: profile, conversation ids, the chosen presence and the cached side
/// of each relationship. Sessions are live-only.
/// </summary>
internal sealed class UserState
{
    public bool Exists { get; set; }

    public string Username { get; set; } = "";

    public string DisplayName { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public HashSet<string> Conversations { get; set; } = [];

    /// <summary>The status the user chose; what others see also depends on live sessions.</summary>
    public string PresenceStatus { get; set; } = PresenceStatuses.Online;

    public string? PresenceNote { get; set; }

    /// <summary>Other user id → this user's side: contacts, requests both ways, and blocks.</summary>
    public Dictionary<string, ContactEntry> Contacts { get; set; } = [];
}
