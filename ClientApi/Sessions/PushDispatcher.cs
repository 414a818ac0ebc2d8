using Messenger.Grains.Interfaces.Push;

namespace Messenger.ClientApi.Sessions;

/// <summary>
/// Hands pushed events to the sessions this ClientApi holds, whether they came on its push
/// stream or in the answer to a send it carried; messages pass through
/// <see cref="MessagePushOrder"/> so that both paths together keep each conversation's order.
/// </summary>
public sealed class PushDispatcher
{
    private readonly SessionRegistry _sessions;
    private readonly FrameSerializer _frames;
    private readonly MessagePushOrder _order;
    private readonly Action<PushEnvelope> _deliver;

    public PushDispatcher(SessionRegistry sessions, FrameSerializer frames, MessagePushOrder order)
    {
        (_sessions, _frames, _order) = (sessions, frames, order);
        _deliver = Deliver; // one delegate, not one per message
    }

    /// <summary>
    /// Delivers an envelope to its sessions here. <paramref name="runStart"/>: for a message
    /// pushed in a send's answer, the first seq of the run of answered pushes it belongs to
    /// (<see cref="Grains.Interfaces.Models.SendResult.PushRunStart"/>).
    /// </summary>
    public void Dispatch(PushEnvelope envelope, long runStart = 0)
    {
        if (envelope.Event is MessagePushed { Message: var message })
        {
            _order.Arrive(message.ConversationId, message.Seq, envelope, _deliver, runStart);
        }
        else
        {
            Deliver(envelope);
        }
    }

    private void Deliver(PushEnvelope envelope)
    {
        var targets = envelope.SessionIds is { } targeted
            ? targeted.Select(_sessions.Find).OfType<ClientSession>()
            : envelope.UserIds.SelectMany(_sessions.ForUser);
        if (envelope.Event is SessionRevoked)
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
            frame ??= _frames.FromEvent(envelope.Event);
            if (frame is null)
            {
                return;
            }

            session.Enqueue(frame);
        }
    }
}
