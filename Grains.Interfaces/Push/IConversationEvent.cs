namespace Messenger.Grains.Interfaces.Push;

/// <summary>
/// An event of one conversation other than a new message (an edit, a deletion, a receipt, typing,
/// a change): a ClientApi delivers it after that conversation's message pushes it holds back.
/// </summary>
public interface IConversationEvent
{
    string ConversationId { get; }
}
