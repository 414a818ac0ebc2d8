using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace Messenger.Tests.Grains;

/// <summary>
/// A silo of a three-silo TestingHost cluster killed while conversations are sending: the
/// conversations carry on on the survivors, retried sends are answered once, seqs stay gap-free.
/// The cluster is this test's own, because it loses a silo.
/// </summary>
public sealed class SiloFailoverTests : IAsyncLifetime
{
    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var connectionString = await (await PostgresServer.Shared).CreateDatabaseAsync();
        var builder = new TestClusterBuilder(initialSilosCount: 3);
        builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messenger:Postgres"] = connectionString,
        }));
        builder.AddSiloBuilderConfigurator<ClusterFixture.SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClusterFixture.ClientConfigurator>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task KillingASiloMidTraffic_LosesNothing_AndRetriedSendsKeepTheirSeq()
    {
        var grains = _cluster.Client;
        var conversations = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => grains.NewGroupAsync(members: 1)));
        var acknowledged = new ConcurrentDictionary<(string Conversation, string ClientMessageId), long>();
        const int perConversation = 25;

        var senders = conversations.Select(c => Task.Run(async () =>
        {
            var id = c.Grain.GetPrimaryKeyString();
            for (var n = 0; n < perConversation; n++)
            {
                var clientMessageId = $"m-{n}";
                acknowledged[(id, clientMessageId)] = await SendWithRetriesAsync(id, c.Owner, n, clientMessageId);

                // A retry of an acknowledged send, as after a lost answer: the same seq, nothing
                // new. It too may meet the kill, and is retried like any send.
                if (n % 5 == 0)
                {
                    Assert.Equal(acknowledged[(id, clientMessageId)], await SendWithRetriesAsync(id, c.Owner, n, clientMessageId));
                }
            }
        })).ToList();

        async Task<long> SendWithRetriesAsync(string id, UserProfile owner, int n, string clientMessageId)
        {
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (true)
            {
                try
                {
                    return (await grains.GetGrain<IConversationGrain>(id).SendAsync(owner, $"message {n}", clientMessageId)).Seq;
                }
                catch (Exception) when (DateTime.UtcNow < deadline)
                {
                    // What a ClientApi turns into 503 and a client retries: the same clientMessageId.
                    await Task.Delay(200);
                }
            }
        }

        await Eventually.TrueAsync(() => acknowledged.Count >= 40, "some messages before the kill", TimeSpan.FromSeconds(60));
        await _cluster.KillSiloAsync(_cluster.SecondarySilos[0]);
        await Task.WhenAll(senders);

        Assert.Equal(conversations.Length * perConversation, acknowledged.Count);
        foreach (var (grain, owner, _) in conversations)
        {
            var id = grain.GetPrimaryKeyString();
            var page = await grains.GetGrain<IConversationGrain>(id).GetMessages(owner.UserId, new HistoryQuery(0, null, 200));
            Assert.Equal(Enumerable.Range(1, perConversation).Select(s => (long)s), page.Messages.Select(m => m.Seq));
            Assert.All(page.Messages, m => Assert.Equal(acknowledged[(id, m.ClientMessageId)], m.Seq));
        }
    }
}
