using System.Runtime.InteropServices;

namespace Messenger.Bench.Baseline;

/// <summary>
/// A relay conversation's messages, kept for history reads and for repeated sends: each
/// message's JSON fields in large byte blocks, its sentAt and idempotency key in arrays, and no object
/// per message. The relay shares the generator's heap, and its earlier log of one object per
/// message (with its frame and client message id) grew that heap past 1 GB within one baseline
/// search; collections then took 6–10 % of every second and decided where the search stopped
/// (docs/performance.md, Session 10). Whole blocks of the oldest messages are forgotten once
/// more than <c>retained</c> are held. Not thread-safe: its conversation's lock guards it.
/// </summary>
internal sealed class RelayMessageLog(int retained)
{
    private const int BlockMessages = 4096;

    private readonly List<Block> _blocks = [];
    private readonly Dictionary<UInt128, long> _seqByKey = [];
    private long _firstSeq = 1;

    private long LastSeq => _firstSeq + HeldCount - 1;

    /// <summary>The oldest seq still held; above <see cref="LastSeq"/> when none is.</summary>
    public long OldestSeq => _firstSeq;

    private long HeldCount => _blocks.Count == 0 ? 0 : ((_blocks.Count - 1) * (long)BlockMessages) + _blocks[^1].Count;

    /// <summary>The idempotency key of a send: who sent it and its client message id.</summary>
    public static UInt128 KeyOf(int senderIndex, string clientMessageId)
    {
        // 128 bits so that a collision (a send taken for a repeat) is not a thing to reason about.
        Span<byte> buffer = stackalloc byte[sizeof(int) + (clientMessageId.Length * sizeof(char))];
        MemoryMarshal.Write(buffer, in senderIndex);
        MemoryMarshal.AsBytes(clientMessageId.AsSpan()).CopyTo(buffer[sizeof(int)..]);
        return System.IO.Hashing.XxHash128.HashToUInt128(buffer);
    }

    /// <summary>The seq a send with this key was stored at, if it is still held.</summary>
    public bool TryFind(UInt128 key, out long seq) => _seqByKey.TryGetValue(key, out seq);

    /// <summary>Stores the next message (the seq after the newest held): its JSON (as the caller will want it back) and what a repeat needs.</summary>
    public void Append(UInt128 key, DateTime sentAt, ReadOnlySpan<byte> json)
    {
        if (_blocks.Count == 0 || _blocks[^1].Count == BlockMessages)
        {
            if (HeldCount - BlockMessages >= retained)
            {
                Forget(_blocks[0]);
                _blocks.RemoveAt(0);
                _firstSeq += BlockMessages;
            }

            _blocks.Add(new Block(json.Length));
        }

        _blocks[^1].Add(key, sentAt, json);
        _seqByKey[key] = LastSeq;
    }

    /// <summary>The JSON of a held message, as it was appended.</summary>
    public ReadOnlySpan<byte> JsonOf(long seq)
    {
        var (block, index) = Locate(seq);
        return block.JsonAt(index);
    }

    public DateTime SentAtOf(long seq)
    {
        var (block, index) = Locate(seq);
        return new DateTime(block.SentAtTicks[index], DateTimeKind.Utc);
    }

    private (Block Block, int Index) Locate(long seq)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seq, _firstSeq);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(seq, LastSeq);
        var offset = seq - _firstSeq;
        return (_blocks[(int)(offset / BlockMessages)], (int)(offset % BlockMessages));
    }

    private void Forget(Block block)
    {
        for (var i = 0; i < block.Count; i++)
        {
            _seqByKey.Remove(block.Keys[i]);
        }
    }

    private sealed class Block(int firstMessageLength)
    {
        // Sized for a block of messages like the first one, with room to spare, so that a
        // block rarely grows (each growth copies it).
        private byte[] _data = new byte[BlockMessages * Math.Max(64, firstMessageLength + (firstMessageLength / 4))];
        private readonly int[] _ends = new int[BlockMessages];
        private int _length;

        public int Count { get; private set; }

        public UInt128[] Keys { get; } = new UInt128[BlockMessages];

        public long[] SentAtTicks { get; } = new long[BlockMessages];

        public void Add(UInt128 key, DateTime sentAt, ReadOnlySpan<byte> json)
        {
            if (_length + json.Length > _data.Length)
            {
                Array.Resize(ref _data, Math.Max(_data.Length * 2, _length + json.Length));
            }

            json.CopyTo(_data.AsSpan(_length));
            _length += json.Length;
            _ends[Count] = _length;
            Keys[Count] = key;
            SentAtTicks[Count] = sentAt.Ticks;
            Count++;
        }

        public ReadOnlySpan<byte> JsonAt(int index)
        {
            var start = index == 0 ? 0 : _ends[index - 1];
            return _data.AsSpan(start, _ends[index] - start);
        }
    }
}
