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
    /// rows, so the wait trades a little ack latency for fewer commits. It also bounds one
    /// conversation's sends per second (one send at a time per conversation, each waiting for its
    /// commit), so it stays short: 5 ms took about 0.06 cores off 4,000 direct sends/s but cut
    /// groups of 10 from 25,000 to 20,000 deliveries/s (docs/performance.md, "Session 7").
    /// </summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(2);
}
