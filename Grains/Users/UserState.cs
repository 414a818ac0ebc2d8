namespace Messenger.Grains.Users;

/// <summary>A user's persisted state: profile and conversation ids. Sessions are live-only.</summary>
internal sealed class UserState
{
    public bool Exists { get; set; }

    public string Username { get; set; } = "";

    public string DisplayName { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public HashSet<string> Conversations { get; set; } = [];
}
