using Messenger.Grains.Interfaces.Push;
using Orleans.Streams;

namespace Messenger.ClientApi.Sessions;

/// <summary>
/// Subscribes this ClientApi to its own push stream and hands each event to the sessions of
/// the users it names. One stream per ClientApi (not per user) keeps pub/sub state to a row
/// per instance, and routing to sessions happens here, where the sessions are.
/// </summary>
public sealed partial class PushSubscriber(
    IClusterClient cluster,
    ClientApiIdentity identity,
    SessionRegistry sessions,
    FrameSerializer frames,
    ILogger<PushSubscriber> logger) : IHostedService
{
    private StreamSubscriptionHandle<PushBatch>? _subscription;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var stream = cluster.GetStreamProvider(PushStreams.ProviderName).GetStream<PushBatch>(PushStreams.ForClientApi(identity.InstanceId));
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

    private Task OnPushAsync(PushBatch batch, StreamSequenceToken? token)
    {
        foreach (var envelope in batch.Envelopes)
        {
            if (envelope.SessionIds is { } targeted)
            {
                Deliver(envelope.Event, targeted.Select(sessions.Find).OfType<ClientSession>());
            }
            else
            {
                Deliver(envelope.Event, envelope.UserIds.SelectMany(sessions.ForUser));
            }
        }

        return Task.CompletedTask;
    }

    private void Deliver(PushEvent pushEvent, IEnumerable<ClientSession> targets)
    {
        if (pushEvent is SessionRevoked)
        {
            foreach (var session in targets)
            {
                session.Close(ClientSession.Revoked, "Token revoked.");
            }

            return;
        }

        // Serialized once, lazily: most events for users with no session here cost nothing.
        byte[]? frame = null;
        foreach (var session in targets)
        {
            frame ??= frames.FromEvent(pushEvent);
            if (frame is null)
            {
                return;
            }

            session.Enqueue(frame);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Subscribed to push stream of {InstanceId}")]
    private partial void LogSubscribed(string instanceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unsubscribing from the push stream failed")]
    private partial void LogUnsubscribeFailed(Exception ex);
}
