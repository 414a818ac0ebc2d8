using System.Diagnostics.Metrics;

namespace Messenger.ClientApi.Sessions;

/// <summary>
/// The ClientApi's send instrument, on the meter <c>Messenger.ClientApi</c>: how long the cluster
/// took to store a send, as this process sees it (the call to the conversation grain until its
/// answer, repeats included). Against the silos' <c>Messenger.MessageLog</c> figures it tells the
/// hops and the grain's turn from the log's own wait.
/// </summary>
public sealed class MessageSenderMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Messenger.ClientApi";

    private readonly Histogram<double> _sendDuration;

    public MessageSenderMetrics(IMeterFactory meters)
    {
        _sendDuration = meters.Create(MeterName).CreateHistogram<double>(
            "messenger.clientapi.send.duration", "ms", "A send's call to its conversation grain until answered, repeats included.");
    }

    /// <summary>Records one send's time in the cluster.</summary>
    public void SendAnswered(TimeSpan took) => _sendDuration.Record(took.TotalMilliseconds);
}
