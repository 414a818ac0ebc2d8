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
    /// rows, so the wait trades a few milliseconds of ack latency under load for fewer commits
    /// (measured at 4,000 direct sends/s: 2 ms gave about 380 commits/s, 5 ms about 285 and about
    /// 0.07 cores less for PostgreSQL and the silos, 8 ms about 230 with no clear further gain;
    /// docs/performance.md).
    /// </summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(5);
}
