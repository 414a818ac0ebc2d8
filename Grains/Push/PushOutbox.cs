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
    private readonly Channel<(string ClientApiId, PushEnvelope Envelope)> _queue =
        Channel.CreateUnbounded<(string, PushEnvelope)>(new UnboundedChannelOptions { SingleReader = true });
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
    public void Publish(IReadOnlyList<string> userIds, PushEvent pushEvent)
    {
        var envelope = new PushEnvelope(userIds, pushEvent);
        foreach (var clientApiId in _directory.Live)
        {
            _queue.Writer.TryWrite((clientApiId, envelope));
        }
    }

    /// <summary>Queues an event for particular sessions held by one ClientApi.</summary>
    public void PublishToSessions(string clientApiId, string userId, IReadOnlyList<string> sessionIds, PushEvent pushEvent) =>
        _queue.Writer.TryWrite((clientApiId, new PushEnvelope([userId], pushEvent, sessionIds)));

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
            while (count < MaxBatch && _queue.Reader.TryRead(out var item))
            {
                if (!pending.TryGetValue(item.ClientApiId, out var list))
                {
                    pending[item.ClientApiId] = list = [];
                }

                list.Add(item.Envelope);
                count++;
            }

            await Task.WhenAll(pending.Where(p => p.Value.Count > 0).Select(async p =>
            {
                try
                {
                    await provider.GetStream<PushBatch>(PushStreams.ForClientApi(p.Key)).OnNextAsync(new PushBatch(p.Value.ToArray()));
                }
                catch (Exception ex)
                {
                    // A push is the fast path, not the record: clients catch up on what is lost.
                    LogPublishFailed(ex, p.Key, p.Value.Count);
                }
            }));
            foreach (var list in pending.Values)
            {
                list.Clear();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pushing {Count} events to ClientApi {ClientApiId} failed")]
    private partial void LogPublishFailed(Exception ex, string clientApiId, int count);
}
