namespace Messenger.Grains.Interfaces.Push;

/// <summary>
/// The item on a ClientApi's push stream: every envelope a silo had for that ClientApi when
/// it flushed. Batching keeps the stream (one item per delivery call) far from its limit.
/// </summary>
[GenerateSerializer, Immutable, Alias("messenger.PushBatch")]
public sealed record PushBatch([property: Id(0)] IReadOnlyList<PushEnvelope> Envelopes);
