namespace Messenger.Grains.Conversations;

/// <summary>
/// A conversation's persisted state: small by design. Messages live in the message log, and
/// the last seq is read back from it on activation, so nothing here changes per message except
/// (lazily saved) read positions.
/// </summary>
internal sealed class ConversationState
{
    public bool Exists { get; set; }

    public ConversationKind Kind { get; set; }

    public string? Title { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Last time members or the title changed (for "latest activity first").</summary>
    public DateTimeOffset ChangedAt { get; set; }

    public List<MemberState> Members { get; set; } = [];

    /// <summary>
    /// Direct conversations only: one of the two blocks the other, so neither may open or write
    /// in it. Set by their relationship grain, also before the conversation exists.
    /// </summary>
    public bool Blocked { get; set; }
}
