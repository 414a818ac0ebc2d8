using System.Collections.Concurrent;
using System.Text.Json;
using Npgsql;
using Orleans.TestingHost;

namespace Messenger.Tests.Grains;

/// <summary>
/// A silo of a three-silo TestingHost cluster killed while conversations are sending: the
/// conversations carry on on the survivors, retried sends are answered once, seqs stay gap-free.
/// The cluster is each test's own, because it loses a silo.
/// </summary>
public sealed class SiloFailoverTests : IAsyncLifetime
{
    private TestCluster _cluster = null!;
    private string _connectionString = null!;

    public async Task InitializeAsync()
    {
        _connectionString = await (await PostgresServer.Shared).CreateDatabaseAsync();

        // Senders' read positions are then never saved before a kill: only the log has them.
        _cluster = await ClusterFixture.DeployAsync(silos: 3, _connectionString, ("Messenger:Messages:SentPositionSaveDelay", "01:00:00"));
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

    [Fact]
    public async Task KillingTheSiloOfAConversation_KeepsTheSendersReadPositions_FromTheLog()
    {
        var (group, owner, members, silo) = await NewGroupOnASecondarySiloAsync();
        var member = members[0];
        for (var i = 0; i < 4; i++)
        {
            await group.SendAsync(owner, $"from the owner {i}"); // seqs 2-5 (1 was sent to place it)
        }

        await group.SendAsync(member, "from the member 1"); // 6
        await group.SendAsync(member, "from the member 2"); // 7
        Assert.Equal(5, (await group.GetSummary(owner.UserId))!.ReadSeq);

        await _cluster.KillSiloAsync(silo);

        // The next call reactivates the conversation on a survivor, once the cluster has noticed.
        ConversationSummary? ownerView = null;
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                ownerView = await group.GetSummary(owner.UserId);
                return true;
            }
            catch (Exception)
            {
                return false;
            }
        }, "the conversation to answer again after the kill", TimeSpan.FromSeconds(60));

        Assert.Equal(7, ownerView!.LastSeq);
        Assert.Equal(5, ownerView.ReadSeq);
        Assert.Equal(7, (await group.GetSummary(member.UserId))!.ReadSeq);
    }

    [Fact]
    public async Task AReceiptAfterASend_IsSavedWithinSeconds_NotAfterTheSendersLongDelay()
    {
        var (group, owner, members) = await _cluster.Client.NewGroupAsync(members: 1);
        await group.SendAsync(members[0], "hello"); // the sender's move: a save due in an hour
        await group.MarkRead(owner.UserId, 1); // a receipt: only the state has it

        await Eventually.TrueAsync(
            async () => await StoredReadSeqAsync(group.GetPrimaryKeyString(), owner.UserId) == 1,
            "the owner's read position in the stored state", TimeSpan.FromSeconds(10));
    }

    private async Task<long?> StoredReadSeqAsync(string conversationId, string userId)
    {
        await using var db = NpgsqlDataSource.Create(_connectionString);
        await using var command = db.CreateCommand("SELECT state::text FROM grain_state WHERE grain_id = 'conversation/' || $1");
        command.Parameters.Add(new NpgsqlParameter { Value = conversationId });
        if (await command.ExecuteScalarAsync() is not string json)
        {
            return null;
        }

        using var state = JsonDocument.Parse(json);
        return state.RootElement.GetProperty("members").EnumerateArray()
            .Where(m => m.GetProperty("userId").GetString() == userId)
            .Select(m => (long?)m.GetProperty("readSeq").GetInt64())
            .SingleOrDefault();
    }

    // Conversations are placed on any silo, and the test may kill only a secondary one.
    private async Task<(IConversationGrain Grain, UserProfile Owner, UserProfile[] Members, SiloHandle Silo)> NewGroupOnASecondarySiloAsync()
    {
        var management = _cluster.Client.GetGrain<IManagementGrain>(0);
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var (grain, owner, members) = await _cluster.Client.NewGroupAsync(members: 1);
            await grain.SendAsync(owner, "placed");
            var address = await management.GetActivationAddress(grain);
            if (_cluster.SecondarySilos.FirstOrDefault(s => s.SiloAddress.Equals(address)) is { } silo)
            {
                return (grain, owner, members, silo);
            }
        }

        throw new InvalidOperationException("No conversation landed on a secondary silo in 50 tries.");
    }
}
