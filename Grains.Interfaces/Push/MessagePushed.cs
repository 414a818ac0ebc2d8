using Messenger.Grains.Interfaces.Models;

namespace Messenger.Grains.Interfaces.Push;

/// <summary>A message was stored; becomes the <c>message</c> frame.</summary>
[GenerateSerializer, Immutable, Alias("messenger.MessagePushed")]
public sealed record MessagePushed([property: Id(0)] MessageRecord Message) : PushEvent;
