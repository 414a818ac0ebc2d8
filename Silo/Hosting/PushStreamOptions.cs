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
    /// idle: the Orleans default of 100 ms measured about 100 ms, 10 ms about 13 ms p50.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// How long a pulling agent keeps delivered push batches. Pushes are never replayed (a client
    /// that missed one catches up from the log), so only a consumer that fell this far behind
    /// loses pushes, which its catch-up repairs.
    /// </summary>
    public TimeSpan CacheRetention { get; set; } = TimeSpan.FromSeconds(10);
}
