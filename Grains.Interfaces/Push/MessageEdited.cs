namespace Messenger.Grains.Interfaces.Push;

/// <summary>A message's text was changed by its sender; becomes the <c>message.edited</c> frame.</summary>
[GenerateSerializer, Immutable, Alias("messenger.MessageEdited")]
public sealed record MessageEdited(
    [property: Id(0)] string ConversationId,
    [property: Id(1)] long Seq,
    [property: Id(2)] string Text,
    [property: Id(3)] DateTimeOffset EditedAt) : PushEvent, IConversationEvent;
