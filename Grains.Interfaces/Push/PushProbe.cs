namespace Messenger.Grains.Interfaces.Push;

/// <summary>
/// Not for users: a ClientApi asks for one on its own push stream to prove the stream still
/// delivers, and moves to a fresh stream when it does not arrive.
/// </summary>
[GenerateSerializer, Immutable, Alias("messenger.PushProbe")]
public sealed record PushProbe([property: Id(0)] string Nonce) : PushEvent;
