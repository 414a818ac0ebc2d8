using Messenger.Bench.Client;

namespace Messenger.Bench.Load;

/// <summary>
/// The check that matters most: every acknowledged message against the stored log, read back
/// with the same <c>messages?after=</c> a client catches up with. Lost = acknowledged but not in
/// the log at the acknowledged seq; gaps = holes in 1..n; duplicates = a client message id stored
/// at two seqs, or a push that arrived twice on one socket; missed pushes = stored messages a
/// member session never got pushed (catch-up delivers them).
/// </summary>
public static class LogCheck
{
    public static async Task<LogCheckResult> RunAsync(ApiClient api, IReadOnlyList<CheckedConversation> conversations)
    {
        long lost = 0, gaps = 0, storedTwice = 0, pushedTwice = 0, missed = 0;
        var logs = new Dictionary<string, List<(long Seq, string ClientMessageId)>>();
        await Parallel.ForEachAsync(conversations, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (conversation, _) =>
        {
            var stored = await ReadLogAsync(api, conversation);
            var conversationGaps = stored.Select((m, i) => m.Seq != i + 1).Count(g => g);
            var storedByClientId = new Dictionary<string, long>();
            long conversationStoredTwice = 0, conversationLost = 0, conversationPushedTwice = 0, conversationMissed = 0;
            foreach (var (seq, clientMessageId) in stored)
            {
                if (!storedByClientId.TryAdd(clientMessageId, seq))
                {
                    conversationStoredTwice++;
                }
            }

            foreach (var send in conversation.Sends)
            {
                var isStored = storedByClientId.TryGetValue(send.ClientMessageId, out var storedSeq);
                if (send.AckedSeq is { } acked && (!isStored || storedSeq != acked))
                {
                    conversationLost++;
                }

                if (!isStored)
                {
                    continue;
                }

                foreach (var count in send.Pushes)
                {
                    if (count > 1)
                    {
                        conversationPushedTwice += count - 1;
                    }
                    else if (count == 0)
                    {
                        conversationMissed++;
                    }
                }
            }

            lock (logs)
            {
                logs[conversation.Id] = stored;
                lost += conversationLost;
                gaps += conversationGaps;
                storedTwice += conversationStoredTwice;
                pushedTwice += conversationPushedTwice;
                missed += conversationMissed;
            }
        });
        return new LogCheckResult(lost, gaps, storedTwice, pushedTwice, missed, logs);
    }

    // A few tries: after a chaos run the ClientApi asked may have just been restarted.
    private static async Task<List<(long Seq, string ClientMessageId)>> ReadLogAsync(ApiClient api, CheckedConversation conversation)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await api.HistoryAfterAsync(conversation.Reader, conversation.Id, 0);
            }
            catch (HttpRequestException) when (attempt < 5)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt));
            }
        }
    }
}
