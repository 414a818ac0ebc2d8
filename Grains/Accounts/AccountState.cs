namespace Messenger.Grains.Accounts;

/// <summary>An account's persisted state: the name as first registered and the password hash.</summary>
internal sealed class AccountState
{
    public bool Exists { get; set; }

    public string UserId { get; set; } = "";

    public string Username { get; set; } = "";

    public string PasswordHash { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
}
