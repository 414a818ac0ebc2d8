namespace Messenger.Bench.Load;

/// <summary>
/// Every send of a run, found by its id. Ids are issued 0, 1, 2, … by the one loop that adds (the
/// next id is <see cref="Count"/>), and any thread looks them up. Kept in fixed-size chunks so it
/// never rehashes: the <c>ConcurrentDictionary</c> it replaces doubled its table at about 290,000 sends (t ≈ 72 s of
/// a 4,000/s run) and held every lock while it did, stalling the generator for about 90 ms, which
/// the run then reported as the server's latency.
/// </summary>
internal sealed class SendTable<T>
    where T : class
{
    private const int ChunkBits = 16;
    private const int ChunkSize = 1 << ChunkBits;

    private T[][] _chunks = new T[64][];
    private long _count;

    public long Count => Volatile.Read(ref _count);

    /// <summary>Adds the next send; <paramref name="id"/> must be <see cref="Count"/>. One caller at a time.</summary>
    public void Add(long id, T item)
    {
        if (id != _count)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, $"The next id is {_count}.");
        }

        var chunk = (int)(id >> ChunkBits);
        var chunks = _chunks;
        if (chunk == chunks.Length)
        {
            // Only the small array of chunk pointers is copied; readers keep whichever they saw.
            var bigger = new T[chunks.Length * 2][];
            chunks.CopyTo(bigger, 0);
            Volatile.Write(ref _chunks, bigger);
            chunks = bigger;
        }

        (chunks[chunk] ??= new T[ChunkSize])[id & (ChunkSize - 1)] = item;

        // Published last, so a reader that sees the count also sees the item.
        Volatile.Write(ref _count, id + 1);
    }

    public bool TryGet(long id, out T item)
    {
        if (id < 0 || id >= Count)
        {
            item = null!;
            return false;
        }

        item = Volatile.Read(ref _chunks)[id >> ChunkBits][id & (ChunkSize - 1)];
        return true;
    }

    /// <summary>The sends added so far, in id order.</summary>
    public IEnumerable<T> Items()
    {
        var count = Count;
        var chunks = Volatile.Read(ref _chunks);
        for (long id = 0; id < count; id++)
        {
            yield return chunks[id >> ChunkBits][id & (ChunkSize - 1)];
        }
    }
}
