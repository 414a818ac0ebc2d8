namespace Messenger.Grains.Interfaces.Models;

/// <summary>A live WebSocket session as its ClientApi reports it when it connects or renews.</summary>
[GenerateSerializer, Immutable, Alias("messenger.SessionLease")]
public sealed record SessionLease(
    [property: Id(0)] string SessionId,
    [property: Id(1)] string ClientApiId,
    [property: Id(2)] string DeviceId);
