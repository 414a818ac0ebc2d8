namespace Messenger.Silo.Hosting;

/// <summary>
/// How the silos run the in-memory push streams to the ClientApis. Bound from
/// <c>Messenger:PushStreams</c>.
/// </summary>
public sealed class PushStreamOptions
{
    public const string Section = "Messenger:PushStreams";

    /// <summary>
    /// Queues of the memory stream provider, shared out among the silos' pulling agents. Each
    /// ClientApi has one stream, which lives in one queue, so a few queues are enough; every
    /// queue is polled on its own timer whether it holds anything or not (measured: 8 queues at
    /// 10 ms cost an idle two-silo cluster about 0.19 cores; see docs/performance.md).
    /// </summary>
    public int Queues { get; set; } = 2;

    /// <summary>
    /// How often a pulling agent asks its queue for new items. Most of a push's latency when
    /// idle: the Orleans default of 100 ms measured about 100 ms, 10 ms about 13 ms p50. Under
    /// load each poll hands the ClientApi everything queued since the last as one burst of
    /// frames; at 4,000 direct sends/s, 5 ms instead of 10 lowered delivery p99 in each of four
    /// pairs of runs (median 88 against 115 ms) for about 4 % more CPU per send
    /// (docs/performance.md, "Session 13").
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// How long a pulling agent keeps delivered push batches. Pushes are never replayed (a client
    /// that missed one catches up from the log), so only a consumer that fell this far behind
    /// loses pushes, which its catch-up repairs.
    /// </summary>
    public TimeSpan CacheRetention { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a gateway keeps a ClientApi that lost its connection before dropping it
    /// (Orleans' <c>SiloMessagingOptions.ClientDropTimeout</c>, 1 minute by default; the drop
    /// comes between one and two of these after the loss). Until the drop, a pulling agent's
    /// delivery to a ClientApi that died waits out the silo's 30 s response timeout, and a silo
    /// stopping gracefully waits for that delivery (measured: a stop held 30 s). Once dropped,
    /// the delivery fails at once and the agent removes the dead subscription. A ClientApi cut
    /// off longer than this loses its subscription too and moves to a fresh stream when its
    /// probe is not answered.
    /// </summary>
    public TimeSpan ClientDropTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
