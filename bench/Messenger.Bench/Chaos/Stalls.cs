using System.Diagnostics;

namespace Messenger.Bench.Chaos;

/// <summary>
/// The stall figures of a chaos run, from timestamps the generator took.
/// <para><b>Acknowledgement stall</b>: for each acknowledged send, the time from the later of its
/// scheduled time and the previous acknowledgement of any send, to its own acknowledgement; the
/// longest is the longest stretch in which at least one send was waiting and no send at all was
/// acknowledged. Retries are inside it: a send that needed three attempts stalls until the third
/// is acknowledged.</para>
/// <para><b>Push stall</b>: the same per receiving user — for each message a member other than
/// its sender first held (by push or by catch-up), the time from the later of the message's
/// acknowledgement to its sender and that member's previous delivery of anything, to this
/// delivery: how long a user was owed a message and received nothing, reconnects and catch-up
/// included. The <b>connected</b> variant keeps only deliveries on a socket that was already
/// up when the message was acknowledged (previous delivery: on that socket): how long pushes
/// stopped for a user who stayed connected, which is what a silo failover must keep short.</para>
/// Only windows longer than 50 ms are kept; shorter ones are ordinary latency.
/// </summary>
public static class Stalls
{
    private const double Shortest = 0.05;

    public static List<StallWindow> OfAcks(IEnumerable<(long Scheduled, long Acked)> sends, long origin)
    {
        var windows = new List<StallWindow>();
        var previous = long.MinValue;
        foreach (var (scheduled, acked) in sends.OrderBy(s => s.Acked))
        {
            Add(windows, Math.Max(scheduled, previous), acked, origin);
            previous = acked;
        }

        return windows;
    }

    /// <param name="deliveries">Per receiving user: (acknowledged at, delivered at, socket, socket up at), in any order; acknowledged at is null for a message whose ack the generator never saw.</param>
    /// <param name="origin">The timestamp that is second 0 of the windows.</param>
    public static (List<StallWindow> Any, List<StallWindow> Connected) OfPushes(IEnumerable<IReadOnlyList<(long? Acked, long Delivered, int Socket, long SocketUpAt)>> deliveries, long origin)
    {
        var any = new List<StallWindow>();
        var connected = new List<StallWindow>();
        foreach (var user in deliveries)
        {
            var previous = long.MinValue;
            var previousOnSocket = new Dictionary<int, long>();
            foreach (var d in user.OrderBy(d => d.Delivered))
            {
                if (d.Acked is { } acked)
                {
                    Add(any, Math.Max(acked, previous), d.Delivered, origin);
                    if (d.SocketUpAt <= acked)
                    {
                        Add(connected, Math.Max(acked, previousOnSocket.GetValueOrDefault(d.Socket, long.MinValue)), d.Delivered, origin);
                    }
                }

                previous = d.Delivered;
                previousOnSocket[d.Socket] = d.Delivered;
            }
        }

        return (any, connected);
    }

    public static double Longest(IEnumerable<StallWindow> windows) => windows.Select(w => w.Seconds).DefaultIfEmpty(0).Max();

    /// <summary>The longest window that began between this kill (less a second: a send scheduled just before it) and the next kill.</summary>
    public static double After(IEnumerable<StallWindow> windows, double killAt, double nextKillAt) =>
        windows.Where(w => w.EndSec > killAt && w.StartSec >= killAt - 1 && w.StartSec < nextKillAt).Select(w => w.Seconds).DefaultIfEmpty(0).Max();

    private static void Add(List<StallWindow> windows, long start, long end, long origin)
    {
        if (end - start > Shortest * Stopwatch.Frequency)
        {
            windows.Add(new StallWindow(Stopwatch.GetElapsedTime(origin, start).TotalSeconds, Stopwatch.GetElapsedTime(origin, end).TotalSeconds));
        }
    }
}
