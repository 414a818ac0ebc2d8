namespace Messenger.Grains.Storage;

/// <summary>What happened to one appended row.</summary>
public enum AppendStatus
{
    /// <summary>The row is stored (committed).</summary>
    Stored,

    /// <summary>The sender already stored this client message id; <see cref="AppendOutcome.Seq"/> is the stored one.</summary>
    Duplicate,

    /// <summary>Another activation already stored this seq; the caller is stale and must reload.</summary>
    SeqTaken,

    /// <summary>
    /// An append of several rows collided with stored rows (a repeat or a taken seq), so none of
    /// them was stored; appending them one at a time tells which.
    /// </summary>
    Collided,
}

/// <summary>
/// The result of <see cref="MessageLog.AppendAsync"/>. When stored,
/// <see cref="Seq"/> and <see cref="SentAt"/> are those of the last row.
/// </summary>
public readonly record struct AppendOutcome(AppendStatus Status, long Seq, DateTimeOffset SentAt);
