using System.Diagnostics;
using HdrHistogram;

namespace Messenger.Bench.Load;

/// <summary>
/// Latency in microseconds into an HdrHistogram: one for the whole run and one for the current
/// second (live progress). Latency is measured from a send's scheduled time, not the time it
/// actually went out, so a stalled generator or server cannot hide its own delay (coordinated
/// omission is corrected by construction in the open-loop driver).
/// </summary>
public sealed class LatencyRecorder
{
    private const long HighestMicros = 10L * 60 * 1_000_000;
    private readonly Lock _gate = new();
    private readonly LongHistogram _total = new(HighestMicros, 3);
    private LongHistogram _window = new(HighestMicros, 3);

    public void Record(long startTimestamp, long endTimestamp)
    {
        var micros = Math.Clamp((long)Stopwatch.GetElapsedTime(startTimestamp, endTimestamp).TotalMicroseconds, 1, HighestMicros);
        lock (_gate)
        {
            _total.RecordValue(micros);
            _window.RecordValue(micros);
        }
    }

    /// <summary>Forgets everything recorded so far (after a warm-up).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _total.Reset();
            _window = new LongHistogram(HighestMicros, 3);
        }
    }

    /// <summary>p99 of the values since the last call, in ms (NaN when none).</summary>
    public double TakeWindowP99()
    {
        lock (_gate)
        {
            var p99 = _window.TotalCount == 0 ? double.NaN : _window.GetValueAtPercentile(99) / 1000.0;
            _window = new LongHistogram(HighestMicros, 3);
            return p99;
        }
    }

    public Report.LatencySummary Summary()
    {
        lock (_gate)
        {
            return _total.TotalCount == 0
                ? new Report.LatencySummary(0, 0, 0, 0, 0, 0)
                : new Report.LatencySummary(
                    _total.GetValueAtPercentile(50) / 1000.0,
                    _total.GetValueAtPercentile(90) / 1000.0,
                    _total.GetValueAtPercentile(99) / 1000.0,
                    _total.GetValueAtPercentile(99.9) / 1000.0,
                    _total.GetMaxValue() / 1000.0,
                    _total.TotalCount);
        }
    }
}
