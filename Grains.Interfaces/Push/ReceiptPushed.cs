namespace Messenger.Grains.Interfaces.Push;

/// <summary>A member's read position moved; becomes the <c>receipt</c> frame.</summary>
[GenerateSerializer, Immutable, Alias("messenger.ReceiptPushed")]
public sealed record ReceiptPushed(
    [property: Id(0)] string ConversationId,
    [property: Id(1)] string UserId,
    [property: Id(2)] long ReadSeq) : PushEvent, IConversationEvent;
