using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Messenger.Grains.Push;

/// <summary>
/// Publishes events to the ClientApis' push streams for every grain of this silo. Each event
/// goes once to each live ClientApi, naming the users it is for; the ClientApi finds their
/// sessions itself. So a message to a group of 500 costs one stream item per ClientApi, not
/// 500 user-grain calls. A single loop flushes what has queued as one <see cref="PushBatch"/>
/// per ClientApi (natural batching: the busier, the bigger the batches), keeping each
/// conversation's events in order.
/// </summary>
public sealed partial class PushOutbox : IAsyncDisposable
{
    private const int MaxBatch = 1024;
    /// <summary>A publish stuck on a dead silo must not hold back every later push.</summary>
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Where each envelope goes is decided when it is flushed, not when it is queued: a ClientApi
    /// may have moved to a fresh stream in between (see the ClientApi's PushSubscriber).
    /// </summary>
    private readonly Channel<(Target Target, string? Key, PushEnvelope Envelope)> _queue =
        Channel.CreateUnbounded<(Target, string?, PushEnvelope)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ClientApiDirectory _directory;
    private readonly IServiceProvider _services;
    private readonly ILogger<PushOutbox> _logger;
    private readonly Task _loop;

    public PushOutbox(ClientApiDirectory directory, IServiceProvider services, ILogger<PushOutbox> logger)
    {
        _directory = directory;
        _services = services;
        _logger = logger;
        _loop = Task.Run(FlushLoopAsync);
    }

    /// <summary>Queues an event for every session of the given users, wherever they are connected.</summary>
    public void Publish(IReadOnlyList<string> userIds, PushEvent pushEvent) => PublishToEveryClientApi(new PushEnvelope(userIds, pushEvent));

    /// <summary>Queues an envelope for every live ClientApi.</summary>
    public void PublishToEveryClientApi(PushEnvelope envelope) => _queue.Writer.TryWrite((Target.EveryClientApi, null, envelope));

    /// <summary>Queues an envelope for every live ClientApi but one, which delivers it by other means.</summary>
    public void PublishExcept(string clientApiId, PushEnvelope envelope) => _queue.Writer.TryWrite((Target.EveryClientApiExcept, clientApiId, envelope));

    /// <summary>Queues an envelope for one push stream, by its key.</summary>
    public void PublishToStream(string streamKey, PushEnvelope envelope) => _queue.Writer.TryWrite((Target.Stream, streamKey, envelope));

    /// <summary>Queues an event for particular sessions held by one ClientApi.</summary>
    public void PublishToSessions(string clientApiId, string userId, IReadOnlyList<string> sessionIds, PushEvent pushEvent) =>
        _queue.Writer.TryWrite((Target.ClientApi, clientApiId, new PushEnvelope([userId], pushEvent, sessionIds)));

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }

    private async Task FlushLoopAsync()
    {
        var provider = _services.GetRequiredKeyedService<IStreamProvider>(PushStreams.ProviderName);
        var pending = new Dictionary<string, List<PushEnvelope>>(StringComparer.Ordinal);
        while (await _queue.Reader.WaitToReadAsync())
        {
            var count = 0;
            var live = _directory.Live;
            while (count < MaxBatch && _queue.Reader.TryRead(out var item))
            {
                var keys = item.Target switch
                {
                    Target.EveryClientApi => live.Values,
                    Target.EveryClientApiExcept => StreamsExcept(live, item.Key!),
                    Target.ClientApi => [live.GetValueOrDefault(item.Key!, item.Key!)],
                    _ => [item.Key!],
                };
                foreach (var key in keys)
                {
                    if (!pending.TryGetValue(key, out var list))
                    {
                        pending[key] = list = [];
                    }

                    list.Add(item.Envelope);
                }

                count++;
            }

            await Task.WhenAll(pending.Where(p => p.Value.Count > 0).Select(async p =>
            {
                try
                {
                    await provider.GetStream<PushBatch>(PushStreams.ForClientApi(p.Key)).OnNextAsync(new PushBatch(p.Value.ToArray())).WaitAsync(PublishTimeout);
                }
                catch (Exception ex)
                {
                    // A push is the fast path, not the record: clients catch up on what is lost.
                    LogPublishFailed(ex, p.Key, p.Value.Count);
                }
            }));
            pending.Clear(); // keys come and go as ClientApis move to fresh streams
        }
    }

    private static IEnumerable<string> StreamsExcept(IReadOnlyDictionary<string, string> live, string clientApiId)
    {
        foreach (var (id, streamKey) in live)
        {
            if (id != clientApiId)
            {
                yield return streamKey;
            }
        }
    }

    private enum Target
    {
        EveryClientApi,
        EveryClientApiExcept,
        ClientApi,
        Stream,
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pushing {Count} events on push stream {StreamKey} failed")]
    private partial void LogPublishFailed(Exception ex, string streamKey, int count);
}
