namespace Messenger.Grains.Interfaces.Push;

/// <summary>
/// A conversation was created, renamed or its members changed; becomes the <c>conversation</c> frame.
/// <see cref="Change"/> is one of <see cref="ConversationChanges"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("messenger.ConversationChanged")]
public sealed record ConversationChanged(
    [property: Id(0)] string ConversationId,
    [property: Id(1)] string Change) : PushEvent, IConversationEvent;
