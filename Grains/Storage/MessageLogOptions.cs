namespace Messenger.Grains.Storage;

/// <summary>Tuning of the group-commit writer. Bound from <c>Messenger:MessageLog</c>.</summary>
public sealed class MessageLogOptions
{
    /// <summary>Most rows in one multi-row INSERT (one commit, one fsync).</summary>
    public int MaxBatchSize { get; set; } = 512;

    /// <summary>Batches written at once; while one commits, the next fills.</summary>
    public int Writers { get; set; } = 2;

    /// <summary>
    /// How long a writer waits, once a row is queued, for more rows to join its batch. Zero
    /// writes at once. Each commit costs the database and the driver about as much CPU as
    /// several rows, so a short wait trades a little ack latency for fewer commits (measured at
    /// 2,500 direct sends/s: 2 ms cut commits from 1,365/s to 844/s and PostgreSQL's CPU by a
    /// quarter; docs/performance.md).
    /// </summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(2);
}
