namespace Messenger.Grains.Interfaces.Push;

/// <summary>The device's token was revoked (logout): its sockets close with 4001.</summary>
[GenerateSerializer, Immutable, Alias("messenger.SessionRevoked")]
public sealed record SessionRevoked : PushEvent;
