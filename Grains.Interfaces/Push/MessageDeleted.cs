namespace Messenger.Grains.Interfaces.Push;

/// <summary>A message was erased; its seq stays as a tombstone. Becomes the <c>message.deleted</c> frame.</summary>
[GenerateSerializer, Immutable, Alias("messenger.MessageDeleted")]
public sealed record MessageDeleted(
    [property: Id(0)] string ConversationId,
    [property: Id(1)] long Seq) : PushEvent, IConversationEvent;
