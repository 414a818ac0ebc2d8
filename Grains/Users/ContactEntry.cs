namespace Messenger.Grains.Users;

/// <summary>
/// One user's cached side of a relationship, as stored in <see cref="UserState"/>; the truth is
/// the relationship grain's, and <see cref="Version"/> is its version when this was told.
/// </summary>
internal sealed class ContactEntry
{
    public required string Username { get; set; }

    public required string DisplayName { get; set; }

    public ContactState State { get; set; }

    public bool BlockedByMe { get; set; }

    public long Version { get; set; }
}
