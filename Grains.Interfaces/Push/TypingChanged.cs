namespace Messenger.Grains.Interfaces.Push;

/// <summary>A member started or stopped typing (or their typing expired); becomes the <c>typing</c> frame.</summary>
[GenerateSerializer, Immutable, Alias("messenger.TypingChanged")]
public sealed record TypingChanged(
    [property: Id(0)] string ConversationId,
    [property: Id(1)] string UserId,
    [property: Id(2)] bool Typing) : PushEvent, IConversationEvent;
