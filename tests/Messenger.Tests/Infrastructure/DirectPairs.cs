namespace Messenger.Tests.Infrastructure;

/// <summary>
/// Pairs of real users on a process cluster, each pair with a direct conversation, and the check
/// that what was acknowledged to the senders is exactly what is stored.
/// </summary>
public sealed record DirectPairs((RealUser Sender, RealUser Receiver)[] Pairs, string[] Conversations)
{
    /// <summary>Signs up two users a pair once <paramref name="activeSilos"/> silos are active, and opens their conversations.</summary>
    public static async Task<DirectPairs> CreateAsync(ProcessCluster cluster, int count, int activeSilos = 2)
    {
        var users = await Task.WhenAll(Enumerable.Range(0, 2 * count).Select(_ => RealUser.CreateAsync(cluster.ClientApiUrl)));
        await cluster.WaitUntilAsync(async _ => await cluster.ActiveSilosAsync(users[0].Token) == activeSilos, $"{activeSilos} active silos");
        var pairs = Enumerable.Range(0, count).Select(i => (Sender: users[2 * i], Receiver: users[(2 * i) + 1])).ToArray();
        return new DirectPairs(pairs, await Task.WhenAll(pairs.Select(p => p.Sender.DirectWithAsync(p.Receiver))));
    }

    /// <summary>Each conversation stores seqs 1…n, one per acknowledged send, each at the seq its sender was told.</summary>
    public async Task AssertStoredAsAcknowledgedAsync(IReadOnlyDictionary<(string Conversation, string ClientMessageId), long> acknowledged)
    {
        for (var i = 0; i < Pairs.Length; i++)
        {
            var stored = await Pairs[i].Receiver.HistoryAsync(Conversations[i]);
            var sent = acknowledged.Keys.Count(k => k.Conversation == Conversations[i]);
            Assert.Equal(Enumerable.Range(1, sent).Select(s => (long)s), stored.Select(m => m.GetProperty("seq").GetInt64()));
            foreach (var message in stored)
            {
                Assert.Equal(acknowledged[(Conversations[i], message.GetProperty("clientMessageId").GetString()!)], message.GetProperty("seq").GetInt64());
            }
        }
    }
}
