using Messenger.Grains.Interfaces.Push;

namespace Messenger.ClientApi.Sessions;

/// <summary>
/// Hands pushed events to the sessions this ClientApi holds, whether they came on its push
/// stream or in the answer to a send it carried; a conversation's events pass through
/// <see cref="MessagePushOrder"/> so that both paths together keep its order.
/// </summary>
public sealed partial class PushDispatcher
{
    private readonly SessionRegistry _sessions;
    private readonly FrameSerializer _frames;
    private readonly MessagePushOrder _order;
    private readonly ILogger<PushDispatcher> _logger;
    private readonly Action<PushEnvelope> _deliver;

    public PushDispatcher(SessionRegistry sessions, FrameSerializer frames, MessagePushOrder order, ILogger<PushDispatcher> logger)
    {
        (_sessions, _frames, _order, _logger) = (sessions, frames, order, logger);
        _deliver = DeliverSafely; // one delegate, not one per message
    }

    /// <summary>
    /// Delivers an envelope to its sessions here. <paramref name="burstStart"/>: for a message
    /// pushed in a send's answer, where its conversation's current burst began
    /// (<see cref="Grains.Interfaces.Models.SendResult.PushBurstStart"/>).
    /// </summary>
    public void Dispatch(PushEnvelope envelope, long burstStart = 0)
    {
        switch (envelope.Event)
        {
            case MessagePushed { Message: var message }:
                _order.Arrive(message.ConversationId, message.Seq, envelope, _deliver, burstStart);
                break;
            case IConversationEvent { ConversationId: var conversationId }:
                _order.ArriveAfterHeld(conversationId, envelope, _deliver);
                break;
            default:
                DeliverSafely(envelope);
                break;
        }
    }

    // A push is the fast path: a failure here must not turn a stored send's answer into an error,
    // nor stop the stream's delivery loop or a gap's timer. The sessions catch up.
    private void DeliverSafely(PushEnvelope envelope)
    {
        try
        {
            Deliver(envelope);
        }
        catch (Exception ex)
        {
            LogDeliveryFailed(ex, envelope.Event.GetType().Name);
        }
    }

    private void Deliver(PushEnvelope envelope)
    {
        // Indexed loops rather than LINQ: this runs for every message, and the iterators, enumerators
        // and delegates were 3 % of what the ClientApi allocated per direct send.
        byte[]? frame = null;
        if (envelope.SessionIds is { } sessionIds)
        {
            for (var i = 0; i < sessionIds.Count; i++)
            {
                if (_sessions.Find(sessionIds[i]) is { } session && !Deliver(envelope, session, ref frame))
                {
                    return;
                }
            }

            return;
        }

        var userIds = envelope.UserIds;
        for (var i = 0; i < userIds.Count; i++)
        {
            foreach (var session in _sessions.ForUser(userIds[i]))
            {
                if (!Deliver(envelope, session, ref frame))
                {
                    return;
                }
            }
        }
    }

    // False when the event is not one that sessions get. The frame is serialized once, lazily:
    // most events for users with no session here cost nothing.
    private bool Deliver(PushEnvelope envelope, ClientSession session, ref byte[]? frame)
    {
        if (envelope.Event is SessionRevoked)
        {
            session.Close(ClientSession.Revoked, "Token revoked.");
            return true;
        }

        frame ??= _frames.FromEvent(envelope.Event);
        if (frame is null)
        {
            return false;
        }

        session.Enqueue(frame);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivering a {Event} push to the sessions here failed")]
    private partial void LogDeliveryFailed(Exception ex, string @event);
}
