namespace Messenger.Grains.Relationships;

/// <summary>
/// The truth about two users, "low" and "high" by the ordinal order of their ids. Versioned so
/// the users' caches can tell a newer update from an older one.
/// </summary>
internal sealed class RelationshipState
{
    public RelationshipStage Stage { get; set; }

    public bool BlockedByLow { get; set; }

    public bool BlockedByHigh { get; set; }

    public long Version { get; set; }
}
