namespace Messenger.Grains.Conversations;

/// <summary>A validated send waiting for its append to the message log, and its answer.</summary>
internal sealed class QueuedSend(SendMessageCommand command, MemberState sender)
{
    public SendMessageCommand Command { get; } = command;

    public MemberState Sender { get; } = sender;

    // Completed from the conversation's own turns; the caller's continuation may run inline.
    public TaskCompletionSource<SendResult> Answer { get; } = new();
}
