namespace Messenger.Grains.Interfaces.Push;

/// <summary>
/// One event for some users: the receiving ClientApi hands it to every session it holds for
/// them, or, when <see cref="SessionIds"/> is set, only to those sessions.
/// </summary>
[GenerateSerializer, Immutable, Alias("messenger.PushEnvelope")]
public sealed record PushEnvelope(
    [property: Id(0)] IReadOnlyList<string> UserIds,
    [property: Id(1)] PushEvent Event,
    [property: Id(2)] IReadOnlyList<string>? SessionIds = null);
