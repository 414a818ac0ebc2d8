using System.Collections.Concurrent;
using Messenger.Grains.Interfaces.Push;

namespace Messenger.ClientApi.Sessions;

/// <summary>
/// Keeps each conversation's message pushes in seq order on this ClientApi. They arrive by two
/// paths: in the answers to the sends this ClientApi carried, and on its push stream for sends
/// carried by other ClientApis, and either path can overtake the other, as can two answers
/// handled on two threads. Every live ClientApi gets every message of a conversation, by one
/// path or the other, so the seqs arriving here run without gaps: a push that comes early waits
/// for the ones before it, for at most <see cref="GapWait"/> (a push can be lost when a process
/// dies; then the client's catch-up fills the gap), and a push that comes after its place has
/// passed (a repeat, or one given up on) is dropped, since its sessions already have it or
/// will catch up on it. The conversation's other events wait behind the messages held when
/// they came, so that an edit cannot overtake the message it edits.
/// </summary>
/// <param name="time">The clock of the waits.</param>
/// <param name="gapWait">
/// How long an early push waits for the ones before it: as long as the silos allow a streamed
/// push to take (<c>Messenger:Messages:StreamSettleTime</c>, read by both), since an answer
/// overtakes a message on its way by stream whenever members on two ClientApis take turns; only
/// a push lost with a dead process waits it out.
/// </param>
public sealed class MessagePushOrder(TimeProvider time, TimeSpan gapWait)
{
    /// <summary>The default of <c>Messenger:Messages:StreamSettleTime</c>, the silos' as well.</summary>
    public static readonly TimeSpan DefaultGapWait = TimeSpan.FromSeconds(1);

    public MessagePushOrder(TimeProvider time)
        : this(time, DefaultGapWait)
    {
    }

    /// <summary>How long an early push waits for the ones before it.</summary>
    public TimeSpan GapWait { get; } = gapWait;

    /// <summary>A conversation quiet this long is forgotten; its next push starts its line afresh.</summary>
    public static readonly TimeSpan ForgetAfter = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<string, Line> _lines = new(StringComparer.Ordinal);
    private readonly long _forgetTicks = (long)(ForgetAfter.TotalSeconds * time.TimestampFrequency);
    private long _nextSweep; // the first push sweeps an empty table and sets the next sweep

    /// <summary>Conversations whose order is being kept now.</summary>
    public int Count => _lines.Count;

    /// <summary>
    /// Hands <paramref name="envelope"/>, message <paramref name="seq"/> of a conversation, to
    /// <paramref name="deliver"/> in its turn: now, after the pushes it waits for, or never.
    /// <paramref name="burstStart"/> (0 when unknown) is where the conversation's current burst
    /// began: every message before it reached the ClientApis long ago. A conversation first seen
    /// here starts there; started at whichever answer of a commit's several came first, it
    /// would drop the others.
    /// </summary>
    public void Arrive(string conversationId, long seq, PushEnvelope envelope, Action<PushEnvelope> deliver, long burstStart = 0)
    {
        var now = time.GetTimestamp();
        while (!TryArrive(_lines.GetOrAdd(conversationId, static _ => new Line()), now, seq, envelope, deliver, burstStart))
        {
            // A sweep forgot the line between the lookup and the lock: take the fresh one.
        }

        if (now >= Volatile.Read(ref _nextSweep))
        {
            Sweep(now);
        }
    }

    /// <summary>
    /// Hands <paramref name="envelope"/>, another event of a conversation (an edit, a deletion, a
    /// receipt, typing, a change), to <paramref name="deliver"/> after the conversation's message
    /// pushes held now: at once when none are, else when the last of them has gone (or been
    /// passed over).
    /// </summary>
    public void ArriveAfterHeld(string conversationId, PushEnvelope envelope, Action<PushEnvelope> deliver)
    {
        if (!_lines.TryGetValue(conversationId, out var line))
        {
            deliver(envelope);
            return;
        }

        lock (line)
        {
            // A line is forgotten only with nothing held, so one forgotten meanwhile delivers at once.
            if (line.Held is { Count: > 0 } held)
            {
                (line.Behind ??= new()).Enqueue((held.Keys[^1], envelope));
            }
            else
            {
                deliver(envelope);
            }
        }
    }

    private bool TryArrive(Line line, long now, long seq, PushEnvelope envelope, Action<PushEnvelope> deliver, long burstStart)
    {
        lock (line)
        {
            if (line.Forgotten)
            {
                return false;
            }

            line.LastUsed = now;
            if (line.Next == 0)
            {
                line.Next = burstStart is > 0 and var start && start <= seq ? start : seq;
            }

            if (seq == line.Next)
            {
                deliver(envelope);
                line.Next = seq + 1;
                DeliverReady(line, deliver);
            }
            else if (seq > line.Next)
            {
                (line.Held ??= [])[seq] = envelope;
                WaitForGap(line, deliver);
            }

            return true;
        }
    }

    private static void DeliverReady(Line line, Action<PushEnvelope> deliver)
    {
        while (line.Held is { Count: > 0 } held && held.Keys[0] <= line.Next)
        {
            var (seq, envelope) = (held.Keys[0], held.Values[0]);
            held.RemoveAt(0);
            if (seq == line.Next)
            {
                deliver(envelope);
                line.Next = seq + 1;
                LetGoBehind(line, deliver);
            }
        }

        LetGoBehind(line, deliver);
    }

    // Each waiting event goes once every push held when it came is gone: the seqs before Next.
    private static void LetGoBehind(Line line, Action<PushEnvelope> deliver)
    {
        while (line.Behind is { Count: > 0 } behind && behind.Peek().After < line.Next)
        {
            deliver(behind.Dequeue().Envelope);
        }
    }

    private void WaitForGap(Line line, Action<PushEnvelope> deliver)
    {
        if (line.Waiting)
        {
            return;
        }

        line.Waiting = true;
        var waitedFor = line.Next;
        _ = Task.Delay(GapWait, time).ContinueWith(
            _ =>
            {
                lock (line)
                {
                    line.Waiting = false;
                    if (line.Held is not { Count: > 0 } held)
                    {
                        return;
                    }

                    if (line.Next == waitedFor)
                    {
                        // The push (or pushes) before this one are lost: move past them.
                        line.Next = held.Keys[0];
                        DeliverReady(line, deliver);
                    }

                    if (line.Held.Count > 0)
                    {
                        WaitForGap(line, deliver); // a later gap gets a whole wait of its own
                    }
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
    }

    private void Sweep(long now)
    {
        var due = Volatile.Read(ref _nextSweep);
        if (now < due || Interlocked.CompareExchange(ref _nextSweep, now + _forgetTicks, due) != due)
        {
            return;
        }

        var forgetBefore = now - _forgetTicks;
        foreach (var (conversationId, line) in _lines)
        {
            lock (line)
            {
                if (line.LastUsed < forgetBefore && line.Held is not { Count: > 0 })
                {
                    line.Forgotten = true;
                    _lines.TryRemove(new KeyValuePair<string, Line>(conversationId, line));
                }
            }
        }
    }

    private sealed class Line
    {
        /// <summary>The seq due next; 0 until the first push of the conversation arrives here.</summary>
        public long Next;
        public long LastUsed;
        public bool Waiting;
        public bool Forgotten;
        public SortedList<long, PushEnvelope>? Held;

        /// <summary>Other events of the conversation, each waiting until Next passes the last seq held when it came.</summary>
        public Queue<(long After, PushEnvelope Envelope)>? Behind;
    }
}
