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
    /// rows, so the wait trades a little ack latency for fewer commits. Every append of a busy
    /// conversation waits it, so it stays short: 5 ms saved 0.16 cores at 6,000 direct sends/s
    /// but added 15-20 ms to group and room p99 and did not raise direct's maximum
    /// (docs/performance.md, "Session 8").
    /// </summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(2);
}
