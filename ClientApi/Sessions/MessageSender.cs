using Messenger.Grains.Interfaces;
using Messenger.Grains.Interfaces.Models;

namespace Messenger.ClientApi.Sessions;

/// <summary>
/// Hands a send to its conversation grain for the REST and WebSocket paths, and repeats the call
/// when Orleans turned it away (<see cref="OrleansMessageRejectionException"/>, which includes
/// <see cref="SiloUnavailableException"/>). That happens while a silo stops gracefully: a send that
/// reaches a conversation as it deactivates is forwarded, and the stopping silo refuses to place
/// it ("is shutting down"). Repeating is safe because a send is idempotent by its
/// clientMessageId: a repeat of one that was stored answers the original seq. Only a few quick
/// repeats, so a silo that is really gone still answers <c>unavailable</c> within a second.
/// </summary>
public sealed partial class MessageSender(GrainReferences grains, ILogger<MessageSender> logger)
{
    /// <summary>Calls made for one send at most, the first included.</summary>
    public const int MaxAttempts = 3;

    private static readonly TimeSpan RepeatDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>Stores the message (or finds it stored) and answers its seq.</summary>
    public async Task<SendResult> SendAsync(string conversationId, SendMessageCommand command)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await grains.Get<IConversationGrain>(conversationId).Send(command);
            }
            catch (OrleansMessageRejectionException ex) when (attempt < MaxAttempts)
            {
                LogRepeating(conversationId, attempt, ex.GetType().Name);
                await Task.Delay(RepeatDelay * attempt);
            }
        }
    }

    // Debug: during a silo's stop or crash every send in flight may be repeated; one that still
    // fails reaches its client as unavailable.
    [LoggerMessage(Level = LogLevel.Debug, Message = "A send to {ConversationId} was turned away by the cluster ({Error}) on attempt {Attempt}; repeating it")]
    private partial void LogRepeating(string conversationId, int attempt, string error);
}
