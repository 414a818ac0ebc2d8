using System.Diagnostics;
using Messenger.Bench.CallFloor.Grains;

namespace Messenger.Bench.CallFloor;

/// <summary>
/// Calls the grains in turn at a target rate, open loop: call i is due at i / rate whether or
/// not earlier ones were answered, like the load generator's sends.
/// </summary>
internal sealed class OpenLoopCalls(IReadOnlyList<IEchoGrain> grains, string text)
{
    private long _answered;
    private long _failed;
    private int _next;

    /// <summary>Drives the rate for the duration, then waits for the calls still out.</summary>
    public async Task<(long Answered, long Failed)> DriveAsync(int rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        var (answered0, failed0) = (Interlocked.Read(ref _answered), Interlocked.Read(ref _failed));
        var outstanding = new List<Task>();
        var started = Stopwatch.GetTimestamp();
        long issued = 0;
        var total = (long)(rate * duration.TotalSeconds);
        while (issued < total)
        {
            var due = Math.Min(total, (long)(Stopwatch.GetElapsedTime(started).TotalSeconds * rate) + 1);
            for (; issued < due; issued++)
            {
                outstanding.Add(CallAsync());
            }

            outstanding.RemoveAll(t => t.IsCompleted);
            await Task.Delay(1, cancellationToken);
        }

        await Task.WhenAll(outstanding);
        return (Interlocked.Read(ref _answered) - answered0, Interlocked.Read(ref _failed) - failed0);
    }

    private async Task CallAsync()
    {
        try
        {
            await grains[_next++ % grains.Count].Echo(text);
            Interlocked.Increment(ref _answered);
        }
        catch (Exception)
        {
            // Counted, not thrown: the report says how many calls failed.
            Interlocked.Increment(ref _failed);
        }
    }
}
