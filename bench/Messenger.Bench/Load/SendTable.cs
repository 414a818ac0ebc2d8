namespace Messenger.Bench.Load;

/// <summary>
/// Every send of a run, found by its id: its <see cref="SendRecord"/> and, per member of its
/// conversation, how many times its push arrived. Ids are issued 0, 1, 2, … by the one loop that
/// adds (the next id is <see cref="Count"/>), and any thread looks them up.
/// </summary>
/// <remarks>
/// Kept in fixed-size chunks so it never rehashes: the <c>ConcurrentDictionary</c> it replaces
/// doubled its table at about 290,000 sends (t ≈ 72 s of a 4,000/s run) and held every lock
/// while it did, stalling the generator for about 90 ms, which the run then reported as the
/// server's latency. Records are structs and the counts plain ints in those chunks, not two
/// objects per send: a baseline search issues millions of sends, and that many small objects
/// made the generator's own collections part of what was measured (docs/performance.md,
/// Session 10).
/// </remarks>
internal sealed class SendTable(int members)
{
    private const int ChunkBits = 14;
    private const int ChunkSize = 1 << ChunkBits;

    private SendRecord[][] _records = new SendRecord[64][];
    private int[][] _deliveries = new int[64][];
    private long _count;

    public long Count => Volatile.Read(ref _count);

    /// <summary>Adds the next send; <paramref name="id"/> must be <see cref="Count"/>. One caller at a time.</summary>
    public void Add(long id, in SendRecord record)
    {
        if (id != _count)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, $"The next id is {_count}.");
        }

        var chunk = (int)(id >> ChunkBits);
        if (chunk == _records.Length)
        {
            // Only the small arrays of chunk pointers are copied; readers keep whichever they saw.
            Volatile.Write(ref _deliveries, [.. _deliveries, .. new int[_deliveries.Length][]]);
            Volatile.Write(ref _records, [.. _records, .. new SendRecord[_records.Length][]]);
        }

        _deliveries[chunk] ??= new int[ChunkSize * members];
        (_records[chunk] ??= new SendRecord[ChunkSize])[id & (ChunkSize - 1)] = record;

        // Published last, so a reader that sees the count also sees the record and its counts.
        Volatile.Write(ref _count, id + 1);
    }

    public bool Contains(long id) => id >= 0 && id < Count;

    /// <summary>The record of a send that <see cref="Contains"/>; updated in place.</summary>
    public ref SendRecord this[long id] => ref Volatile.Read(ref _records)[id >> ChunkBits][id & (ChunkSize - 1)];

    /// <summary>How many times the push of send <paramref name="id"/> reached member <paramref name="slot"/>; updated in place.</summary>
    public ref int Deliveries(long id, int slot) =>
        ref Volatile.Read(ref _deliveries)[id >> ChunkBits][((id & (ChunkSize - 1)) * members) + slot];

    /// <summary>The push counts of send <paramref name="id"/>, one per member, copied.</summary>
    public int[] DeliveriesOf(long id)
    {
        var counts = new int[members];
        for (var slot = 0; slot < members; slot++)
        {
            counts[slot] = Volatile.Read(ref Deliveries(id, slot));
        }

        return counts;
    }
}
