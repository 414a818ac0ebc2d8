namespace Messenger.Grains.Storage;

/// <summary>Tuning of the group-commit writer. Bound from <c>Messenger:MessageLog</c>.</summary>
public sealed class MessageLogOptions
{
    /// <summary>Most rows in one multi-row INSERT (one commit, one fsync).</summary>
    public int MaxBatchSize { get; set; } = 512;

    /// <summary>Batches written at once; while one commits, the next fills.</summary>
    public int Writers { get; set; } = 2;

    /// <summary>
    /// How long a writer waits for more rows to join its batch, once a row is queued and the
    /// previous batch held more than one row (a lone row on a quiet log is written at once). Zero
    /// writes at once. Each commit costs the database and the driver about as much CPU as several
    /// rows, so the wait trades a little ack latency for fewer commits: at 6,000 direct sends/s,
    /// 5 ms against 2 ms made a third fewer commits and took 0.16 cores off the machine, for 3 ms
    /// more ack p50. It no longer caps a busy conversation, whose sends join one append while the
    /// previous one commits (docs/performance.md, "Session 8").
    /// </summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(5);
}
