using System.Collections.Concurrent;

namespace Messenger.Tests.Integration;

/// <summary>
/// End to end against real processes: two silo processes that find each other through the
/// PostgreSQL membership table, and a ClientApi process, over real HTTP and WebSockets.
/// </summary>
public sealed class RealProcessesTests : IAsyncLifetime
{
    private ProcessCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ProcessCluster.StartAsync(silos: 2);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task TwoSiloProcesses_FormOneCluster_AndAMessageTravelsSocketToSocket()
    {
        var alice = await RealUser.CreateAsync(_cluster.ClientApiUrl);
        var bob = await RealUser.CreateAsync(_cluster.ClientApiUrl);
        await _cluster.WaitUntilAsync(async _ => await _cluster.ActiveSilosAsync(alice.Token) == 2, "two active silos in /api/v1/cluster");
        var conversationId = await alice.DirectWithAsync(bob);
        await using var bobSocket = await bob.ConnectAsync();
        await bobSocket.NextAsync("ready");

        var seq = await alice.SendAsync(conversationId, "over the wire", "e2e-1");

        var pushed = await bobSocket.NextAsync("message");
        Assert.Equal(seq, pushed.GetProperty("seq").GetInt64());
        Assert.Equal("over the wire", pushed.GetProperty("text").GetString());
    }

    [Fact]
    public async Task KillingASiloWhileSending_LosesNoAcknowledgedMessage_AndSeqsStayGapFree()
    {
        var users = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => RealUser.CreateAsync(_cluster.ClientApiUrl)));
        await _cluster.WaitUntilAsync(async _ => await _cluster.ActiveSilosAsync(users[0].Token) == 2, "two active silos");

        // Six conversations, so some of their grains live on the silo that dies.
        var pairs = Enumerable.Range(0, 6).Select(i => (Sender: users[2 * i], Receiver: users[(2 * i) + 1])).ToArray();
        var conversations = await Task.WhenAll(pairs.Select(p => p.Sender.DirectWithAsync(p.Receiver)));
        var acknowledged = new ConcurrentDictionary<(string Conversation, string ClientMessageId), long>();
        const int perConversation = 30;

        var senders = pairs.Select((pair, i) => Task.Run(async () =>
        {
            for (var n = 0; n < perConversation; n++)
            {
                var clientMessageId = $"m-{n}";

                // A client's retry loop: same clientMessageId until it is acknowledged.
                var seq = await pair.Sender.SendWithRetriesAsync(conversations[i], $"message {n}", clientMessageId, TimeSpan.FromSeconds(90));
                acknowledged[(conversations[i], clientMessageId)] = seq;
            }
        })).ToList();

        await Eventually.TrueAsync(() => acknowledged.Count >= 30, "some messages before the kill", TimeSpan.FromSeconds(60));
        _cluster.Kill("silo-0");
        await Task.WhenAll(senders);

        Assert.Equal(pairs.Length * perConversation, acknowledged.Count);
        for (var i = 0; i < pairs.Length; i++)
        {
            var stored = await pairs[i].Receiver.HistoryAsync(conversations[i]);
            Assert.Equal(Enumerable.Range(1, perConversation).Select(s => (long)s), stored.Select(m => m.GetProperty("seq").GetInt64()));
            Assert.Equal(perConversation, stored.Select(m => m.GetProperty("clientMessageId").GetString()).Distinct().Count());
            foreach (var message in stored)
            {
                Assert.Equal(acknowledged[(conversations[i], message.GetProperty("clientMessageId").GetString()!)], message.GetProperty("seq").GetInt64());
            }
        }
    }
}
