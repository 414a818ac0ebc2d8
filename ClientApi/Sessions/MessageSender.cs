using System.Diagnostics;
using Messenger.Grains.Interfaces;
using Messenger.Grains.Interfaces.Models;

namespace Messenger.ClientApi.Sessions;

/// <summary>
/// Hands a send to its conversation grain for the REST and WebSocket paths, and repeats the call
/// when the cluster lost it (<see cref="LostCallRepeater"/>). Repeating is safe because a send is
/// idempotent by its clientMessageId: a repeat of one that was stored answers the original seq.
/// The send names this ClientApi, so the answer carries the message's push for the sessions
/// here (the push stream skips this ClientApi for it), delivered right after the sender's ack.
/// </summary>
public sealed partial class MessageSender(
    GrainReferences grains,
    LostCallRepeater repeater,
    ClientApiIdentity identity,
    PushDispatcher pushes,
    ILogger<MessageSender> logger,
    MessageSenderMetrics? metrics = null)
{
    /// <summary>
    /// Stores the message (or finds it stored) and answers its seq. <paramref name="acknowledge"/>
    /// runs before the message is pushed to the sessions here, so the sender's own session gets
    /// its ack before the message.
    /// </summary>
    public async Task<SendResult> SendAsync(string conversationId, SendMessageCommand command, Action<SendResult>? acknowledge = null)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await repeater.CallAsync(
            (Sender: this, Grain: grains.Get<IConversationGrain>(conversationId), ConversationId: conversationId, Command: command with { ClientApiId = identity.InstanceId }),
            static (s, gatewayLoss) => s.Grain.Send(s.Command, gatewayLoss),
            static (s, attempt, error) => s.Sender.LogRepeating(s.ConversationId, attempt, error));
        metrics?.SendAnswered(Stopwatch.GetElapsedTime(started));
        acknowledge?.Invoke(result);
        if (result.Push is { } push)
        {
            pushes.Dispatch(push, result.PushBurstStart);
        }

        return result;
    }

    // Debug: during a silo's stop or crash every send in flight may be repeated; one that still
    // fails reaches its client as unavailable.
    [LoggerMessage(Level = LogLevel.Debug, Message = "A send to {ConversationId} was lost by the cluster ({Error}) on attempt {Attempt}; repeating it")]
    private partial void LogRepeating(string conversationId, int attempt, string error);
}
