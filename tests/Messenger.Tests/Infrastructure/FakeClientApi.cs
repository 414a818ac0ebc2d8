using System.Collections.Concurrent;
using Messenger.Grains.Interfaces.Push;
using Orleans.Streams;

namespace Messenger.Tests.Infrastructure;

/// <summary>A ClientApi as the silos see one: in the directory, subscribed to its push stream, recording every envelope.</summary>
public sealed class FakeClientApi : IAsyncDisposable
{
    private readonly ClusterFixture _fixture;
    private StreamSubscriptionHandle<PushBatch>? _subscription;

    private FakeClientApi(ClusterFixture fixture) => _fixture = fixture;

    public string Id { get; } = $"test-{Guid.NewGuid():N}";

    public ConcurrentQueue<PushEnvelope> Received { get; } = new();

    public static async Task<FakeClientApi> StartAsync(ClusterFixture fixture)
    {
        var api = new FakeClientApi(fixture);
        var stream = fixture.Cluster.Client.GetStreamProvider(PushStreams.ProviderName).GetStream<PushBatch>(PushStreams.ForClientApi(api.Id));
        api._subscription = await stream.SubscribeAsync((batch, _) =>
        {
            foreach (var envelope in batch.Envelopes)
            {
                api.Received.Enqueue(envelope);
            }

            return Task.CompletedTask;
        });
        await fixture.Grains.GetGrain<IClientApiDirectoryGrain>(0).Heartbeat(api.Id, api.Id);
        await fixture.RefreshClientApiDirectoriesAsync();
        return api;
    }

    /// <summary>The envelopes so far whose event is a <typeparamref name="T"/> matching the filter.</summary>
    public List<(PushEnvelope Envelope, T Event)> Events<T>(Func<T, bool>? match = null) where T : PushEvent =>
        Received.Where(e => e.Event is T t && (match?.Invoke(t) ?? true)).Select(e => (e, (T)e.Event)).ToList();

    public async ValueTask DisposeAsync()
    {
        await _fixture.Grains.GetGrain<IClientApiDirectoryGrain>(0).Remove(Id);
        if (_subscription is not null)
        {
            await _subscription.UnsubscribeAsync();
        }
    }
}
