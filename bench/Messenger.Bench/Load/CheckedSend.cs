namespace Messenger.Bench.Load;

/// <summary>
/// One send as the generator saw it: its client message id, the seq its ack carried (null when
/// it was never acknowledged), and per member session how many times its push arrived on one
/// socket (0: never pushed, so only catch-up can deliver it).
/// </summary>
public sealed record CheckedSend(string ClientMessageId, long? AckedSeq, int[] Pushes);
