using Messenger.Grains.Interfaces.Push;
using Orleans.Streams;

namespace Messenger.ClientApi.Sessions;

/// <summary>
/// Subscribes this ClientApi to its own push stream and hands each item to the sessions it
/// names. One stream per ClientApi (not per user) keeps pub/sub state to a row per instance.
/// </summary>
public sealed partial class PushSubscriber(
    IClusterClient cluster,
    ClientApiIdentity identity,
    SessionRegistry sessions,
    FrameSerializer frames,
    ILogger<PushSubscriber> logger) : IHostedService
{
    private StreamSubscriptionHandle<SessionPush>? _subscription;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var stream = cluster.GetStreamProvider(PushStreams.ProviderName).GetStream<SessionPush>(PushStreams.ForClientApi(identity.InstanceId));
        _subscription = await stream.SubscribeAsync(OnPushAsync);
        LogSubscribed(identity.InstanceId);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_subscription is not null)
        {
            try
            {
                await _subscription.UnsubscribeAsync();
            }
            catch (Exception ex)
            {
                // The cluster may already be gone on shutdown; the subscription dies with it.
                LogUnsubscribeFailed(ex);
            }
        }
    }

    private Task OnPushAsync(SessionPush push, StreamSequenceToken? token)
    {
        if (push.Event is SessionRevoked)
        {
            foreach (var id in push.SessionIds)
            {
                sessions.Find(id)?.Close(ClientSession.Revoked, "Token revoked.");
            }

            return Task.CompletedTask;
        }

        var frame = frames.FromEvent(push.Event);
        if (frame is not null)
        {
            foreach (var id in push.SessionIds)
            {
                sessions.Find(id)?.Enqueue(frame);
            }
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Subscribed to push stream of {InstanceId}")]
    private partial void LogSubscribed(string instanceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unsubscribing from the push stream failed")]
    private partial void LogUnsubscribeFailed(Exception ex);
}
