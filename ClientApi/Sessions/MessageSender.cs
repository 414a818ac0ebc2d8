using System.Diagnostics;
using Messenger.Grains.Interfaces;
using Messenger.Grains.Interfaces.Models;

namespace Messenger.ClientApi.Sessions;

/// <summary>
/// Hands a send to its conversation grain for the REST and WebSocket paths, and repeats the call
/// when the cluster lost it. Repeating is safe because a send is idempotent by its
/// clientMessageId: a repeat of one that was stored answers the original seq. Two cases:
/// <list type="bullet">
/// <item>Orleans turned the call away (<see cref="OrleansMessageRejectionException"/>, which
/// includes <see cref="SiloUnavailableException"/>). That happens while a silo stops gracefully:
/// a send that reaches a conversation as it deactivates is forwarded, and the stopping silo
/// refuses to place it ("is shutting down").</item>
/// <item>A gateway connection closed while the call waited (its silo stopped or died). The answer
/// comes back through the gateway the call went out on, and Orleans' client does not fail calls
/// waiting on a gateway that is gone: they would wait out the whole response timeout. So every
/// send waiting when a gateway goes stops waiting and is sent again; which gateway a call used is
/// not visible from here, and losing a gateway is rare enough that repeating the few sends of the
/// other one costs nothing that matters.</item>
/// </list>
/// Only a few quick repeats, so a silo that is really gone still answers <c>unavailable</c>
/// within a second.
/// </summary>
public sealed partial class MessageSender
{
    /// <summary>Calls made for one send at most, the first included.</summary>
    public const int MaxAttempts = 3;

    private static readonly TimeSpan RepeatDelay = TimeSpan.FromMilliseconds(100);

    private readonly GrainReferences _grains;
    private readonly ILogger<MessageSender> _logger;
    private readonly MessageSenderMetrics? _metrics;

    // Cancelled, and replaced, when a gateway goes; every send waiting holds the one current then.
    private CancellationTokenSource _gatewayLoss = new();

    public MessageSender(GrainReferences grains, ClusterConnectionWatcher connection, ILogger<MessageSender> logger, MessageSenderMetrics? metrics = null)
    {
        _grains = grains;
        _logger = logger;
        _metrics = metrics;
        connection.GatewayLost += OnGatewayLost;
    }

    /// <summary>Stores the message (or finds it stored) and answers its seq.</summary>
    public async Task<SendResult> SendAsync(string conversationId, SendMessageCommand command)
    {
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            var gatewayLoss = Volatile.Read(ref _gatewayLoss).Token;
            try
            {
                var result = await _grains.Get<IConversationGrain>(conversationId).Send(command, gatewayLoss);
                _metrics?.SendAnswered(Stopwatch.GetElapsedTime(started));
                return result;
            }
            catch (OrleansMessageRejectionException ex) when (attempt < MaxAttempts)
            {
                LogRepeating(conversationId, attempt, ex.GetType().Name);
            }
            catch (OperationCanceledException) when (gatewayLoss.IsCancellationRequested && attempt < MaxAttempts)
            {
                LogRepeating(conversationId, attempt, "gateway lost");
            }

            await Task.Delay(RepeatDelay * attempt);
        }
    }

    private void OnGatewayLost()
    {
        var lost = Interlocked.Exchange(ref _gatewayLoss, new CancellationTokenSource());

        // Off the Orleans client's thread: cancelling completes the waiting calls, and their
        // continuations must not run on it.
        ThreadPool.UnsafeQueueUserWorkItem(static source => source.Cancel(), lost, preferLocal: false);
    }

    // Debug: during a silo's stop or crash every send in flight may be repeated; one that still
    // fails reaches its client as unavailable.
    [LoggerMessage(Level = LogLevel.Debug, Message = "A send to {ConversationId} was lost by the cluster ({Error}) on attempt {Attempt}; repeating it")]
    private partial void LogRepeating(string conversationId, int attempt, string error);
}
