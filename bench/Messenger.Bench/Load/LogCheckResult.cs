namespace Messenger.Bench.Load;

/// <summary>
/// What <see cref="LogCheck"/> found, summed over the conversations, and each conversation's
/// stored log (seq and client message id, ascending) for checks of the caller's own.
/// </summary>
public sealed record LogCheckResult(
    long Lost,
    long Gaps,
    long StoredTwice,
    long PushedTwice,
    long PushesMissed,
    IReadOnlyDictionary<string, List<(long Seq, string ClientMessageId)>> Stored)
{
    /// <summary>A message stored at two seqs (idempotency broken) or pushed twice on one socket.</summary>
    public long Duplicates => StoredTwice + PushedTwice;
}
