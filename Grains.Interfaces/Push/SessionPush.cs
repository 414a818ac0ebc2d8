namespace Messenger.Grains.Interfaces.Push;

/// <summary>One event for some sessions held by the same ClientApi.</summary>
[GenerateSerializer, Immutable, Alias("messenger.SessionPush")]
public sealed record SessionPush(
    [property: Id(0)] IReadOnlyList<string> SessionIds,
    [property: Id(1)] PushEvent Event);
