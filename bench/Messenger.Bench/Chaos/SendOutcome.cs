namespace Messenger.Bench.Chaos;

/// <summary>
/// How one send with retries ended: acknowledged (<see cref="Seq"/> set, at <see cref="AckedAt"/>),
/// refused for good (a client error such as <c>not_found</c>: <see cref="Rejected"/>), or out of
/// time (neither). <see cref="LastCode"/> is the last reason to retry or give up.
/// </summary>
public readonly record struct SendOutcome(long? Seq, long AckedAt, int Attempts, bool Rejected, string? LastCode);
