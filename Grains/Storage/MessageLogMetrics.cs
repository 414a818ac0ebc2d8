using System.Diagnostics.Metrics;

namespace Messenger.Grains.Storage;

/// <summary>
/// The message log's instruments, on the meter <c>Messenger.MessageLog</c> (read them with
/// <c>dotnet-counters monitor -n Messenger.Silo --counters Messenger.MessageLog</c> or any
/// OpenTelemetry metrics pipeline). They split a send's acknowledgement time into what the log
/// takes (queued until committed) and the rest, which the client sees but the silo cannot.
/// </summary>
public sealed class MessageLogMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Messenger.MessageLog";

    private readonly Histogram<double> _appendDuration;
    private readonly Histogram<double> _commitDuration;
    private readonly Histogram<int> _batchRows;

    public MessageLogMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _appendDuration = meter.CreateHistogram<double>(
            "messenger.message_log.append.duration", "ms", "From an append queued to its rows committed (or refused): what a send waits for the log.");
        _commitDuration = meter.CreateHistogram<double>(
            "messenger.message_log.commit.duration", "ms", "One batch's INSERT and commit, the database's fsync included.");
        _batchRows = meter.CreateHistogram<int>(
            "messenger.message_log.batch.rows", "{row}", "Rows in one committed batch (group commit).");
    }

    /// <summary>Records how long an append waited, queued to answered.</summary>
    public void AppendAnswered(TimeSpan waited) => _appendDuration.Record(waited.TotalMilliseconds);

    /// <summary>Records one committed batch.</summary>
    public void BatchCommitted(TimeSpan took, int rows)
    {
        _commitDuration.Record(took.TotalMilliseconds);
        _batchRows.Record(rows);
    }
}
