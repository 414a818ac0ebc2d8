using System.Collections.Concurrent;
using Messenger.Grains.Interfaces;
using Messenger.Grains.Interfaces.Push;
using Orleans.Streams;

namespace Messenger.ClientApi.Sessions;

/// <summary>
/// Subscribes this ClientApi to its own push stream and hands each event to the sessions of
/// the users it names (<see cref="PushDispatcher"/>). One stream per ClientApi (not per user) keeps pub/sub state to a row
/// per instance, and routing to sessions happens here, where the sessions are.
/// </summary>
/// <remarks>
/// After a silo dies, Orleans memory streams can stay silent for a client consumer: measured
/// here, pushes did not resume on the old stream within a minute of a kill -9, though sends
/// worked (known upstream: dotnet/orleans#7992, #9126, #9828). So this process proves its
/// stream every few seconds with a probe sent through a silo's push path, and when a probe does
/// not come back, or a gateway is lost, it moves to a fresh stream, one generation up, whose
/// pub/sub, queue and agent state all start after the failure: it subscribes, tells the
/// directory (silos switch within a second), and drops the old subscription a little later so
/// nothing in flight is missed.
/// </remarks>
public sealed partial class PushSubscriber(
    IClusterClient cluster,
    ClientApiIdentity identity,
    PushDispatcher pushes,
    ClusterConnectionWatcher connection,
    ILogger<PushSubscriber> logger) : IHostedService
{
    private static readonly TimeSpan ProbeEvery = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan OldStreamGrace = TimeSpan.FromSeconds(3);

    private readonly SemaphoreSlim _renewing = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _probes = new(StringComparer.Ordinal);
    private StreamSubscriptionHandle<PushBatch>? _subscription;
    private Task _prober = Task.CompletedTask;
    private int _generation;

    /// <summary>The key of the stream this ClientApi listens on now; the heartbeat tells the silos.</summary>
    public string StreamKey { get; private set; } = identity.InstanceId;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = await SubscribeAsync(StreamKey);
        LogSubscribed(StreamKey);
        connection.CallsMayBeLost += () => _ = RenewQuietlyAsync(_generation);
        _prober = ProbeLoopAsync(_stopping.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _prober;
        await UnsubscribeQuietlyAsync(_subscription);
    }

    private async Task ProbeLoopAsync(CancellationToken token)
    {
        try
        {
            var wait = ProbeEvery;
            while (!token.IsCancellationRequested)
            {
                await Task.Delay(wait, token);
                wait = ProbeEvery;
                var generation = _generation;
                if (!await ProbeAsync(token))
                {
                    LogProbeLost(StreamKey);
                    await RenewAsync(generation, token);

                    // Prove the fresh stream at once: right after a failure it may not work yet either.
                    wait = TimeSpan.FromMilliseconds(250);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// False only when the directory took the probe and it did not come back on the current
    /// stream in time. When the directory itself does not answer (its silo died and it has not
    /// been placed again yet), a fresh stream would not help: the move's heartbeat goes to the
    /// same grain, and the silos learn the new key from it.
    /// </summary>
    private async Task<bool> ProbeAsync(CancellationToken token)
    {
        var nonce = Guid.NewGuid().ToString("N");
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _probes[nonce] = arrived;
        try
        {
            try
            {
                await cluster.GetGrain<IClientApiDirectoryGrain>(0).Probe(StreamKey, nonce).WaitAsync(ProbeTimeout, token);
            }
            catch (Exception ex) when (!token.IsCancellationRequested)
            {
                LogProbeUnanswered(ex.GetType().Name);
                return true;
            }

            try
            {
                await arrived.Task.WaitAsync(ProbeTimeout, token);
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }
        finally
        {
            _probes.TryRemove(nonce, out _);
        }
    }

    private async Task RenewQuietlyAsync(int seenGeneration)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1), _stopping.Token);
            await RenewAsync(seenGeneration, _stopping.Token);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Tells the directory which stream this ClientApi listens on. Under the same lock as a move,
    /// so a periodic heartbeat that read the old key cannot land after the move's and point the
    /// silos back at a stream about to be dropped.
    /// </summary>
    public async Task HeartbeatAsync(CancellationToken token)
    {
        await _renewing.WaitAsync(token);
        try
        {
            await cluster.GetGrain<IClientApiDirectoryGrain>(0).Heartbeat(identity.InstanceId, StreamKey);
        }
        finally
        {
            _renewing.Release();
        }
    }

    /// <summary>
    /// Moves to a fresh stream, retrying until the cluster takes the subscription, unless a move
    /// since <paramref name="seenGeneration"/> (the generation its trigger saw) answered it already.
    /// </summary>
    private async Task RenewAsync(int seenGeneration, CancellationToken token)
    {
        await _renewing.WaitAsync(token);
        try
        {
            if (_generation != seenGeneration)
            {
                return;
            }

            var key = $"{identity.InstanceId}.{++_generation}";
            StreamSubscriptionHandle<PushBatch>? fresh = null;
            while (fresh is null)
            {
                try
                {
                    fresh = await SubscribeAsync(key);
                }
                catch (Exception ex) when (!token.IsCancellationRequested)
                {
                    LogRenewFailed(ex, key);
                    await Task.Delay(TimeSpan.FromSeconds(1), token);
                }
            }

            var old = _subscription;
            (_subscription, StreamKey) = (fresh, key);
            LogRenewed(key);
            try
            {
                await cluster.GetGrain<IClientApiDirectoryGrain>(0).Heartbeat(identity.InstanceId, key);
            }
            catch (Exception ex) when (!token.IsCancellationRequested)
            {
                LogRenewFailed(ex, key); // the next periodic heartbeat carries the new key
            }

            _ = Task.Delay(OldStreamGrace, CancellationToken.None).ContinueWith(_ => UnsubscribeQuietlyAsync(old), TaskScheduler.Default);
        }
        finally
        {
            _renewing.Release();
        }
    }

    private Task<StreamSubscriptionHandle<PushBatch>> SubscribeAsync(string key) =>
        cluster.GetStreamProvider(PushStreams.ProviderName).GetStream<PushBatch>(PushStreams.ForClientApi(key)).SubscribeAsync(OnPushAsync);

    private async Task UnsubscribeQuietlyAsync(StreamSubscriptionHandle<PushBatch>? subscription)
    {
        if (subscription is null)
        {
            return;
        }

        try
        {
            await subscription.UnsubscribeAsync();
        }
        catch (Exception ex)
        {
            // The cluster may be gone or moving; the pub/sub entry is dropped with the client.
            LogUnsubscribeFailed(ex);
        }
    }

    private Task OnPushAsync(PushBatch batch, StreamSequenceToken? token)
    {
        foreach (var envelope in batch.Envelopes)
        {
            if (envelope.Event is PushProbe probe)
            {
                if (_probes.TryGetValue(probe.Nonce, out var arrived))
                {
                    arrived.TrySetResult();
                }

                continue;
            }

            pushes.Dispatch(envelope);
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Subscribed to push stream {StreamKey}")]
    private partial void LogSubscribed(string streamKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A probe did not come back on push stream {StreamKey}; moving to a fresh one")]
    private partial void LogProbeLost(string streamKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "The directory did not take a push-stream probe ({Error}); not moving until it does")]
    private partial void LogProbeUnanswered(string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Moved to push stream {StreamKey}")]
    private partial void LogRenewed(string streamKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Moving to push stream {StreamKey}: a step failed; retrying")]
    private partial void LogRenewFailed(Exception ex, string streamKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unsubscribing from a push stream failed")]
    private partial void LogUnsubscribeFailed(Exception ex);
}
