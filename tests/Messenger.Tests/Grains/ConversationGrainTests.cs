using Npgsql;

namespace Messenger.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class ConversationGrainTests(ClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task Send_FromSixtyConcurrentSenders_AssignsGapFreeSeqs()
    {
        var (group, owner, members) = await Grains.NewGroupAsync(59);
        var senders = members.Append(owner).ToArray();

        var results = await Task.WhenAll(senders.SelectMany(s => Enumerable.Range(0, 5).Select(i => group.SendAsync(s, $"hello {i}"))));

        Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), results.Select(r => r.Seq).Order());
        var page = await group.GetMessages(owner.UserId, new HistoryQuery(0, null, 200));
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), page.Messages.Select(m => m.Seq));
        Assert.True(page.HasMore);
    }

    [Fact]
    public async Task Send_WithSameClientMessageId_ReturnsOriginalSeqAndStoresOnce()
    {
        var (group, owner, _) = await Grains.NewGroupAsync(1);
        var first = await group.SendAsync(owner, "once", "cmid-1");
        await group.SendAsync(owner, "other");

        var repeat = await group.SendAsync(owner, "once again", "cmid-1");

        Assert.Equal(first.Seq, repeat.Seq);
        Assert.Equal(first.SentAt, repeat.SentAt);
        var page = await group.GetMessages(owner.UserId, new HistoryQuery(0, null, 50));
        Assert.Equal(2, page.Messages.Count);
        Assert.Equal("once", page.Messages[0].Text);
    }

    [Fact]
    public async Task Send_RepeatOfAnOlderMessageAmongConcurrentSends_AnswersItsSeqAndLeavesNoGap()
    {
        var (group, owner, members) = await Grains.NewGroupAsync(9);
        var old = await group.SendAsync(owner, "old", "old-cmid");

        // Enough later sends that the repeat is no longer in the grain's window of recent sends,
        // so only the message log's unique index can recognise it.
        for (var i = 0; i < 20; i++)
        {
            await group.SendAsync(owner, $"filler {i}");
        }

        var sends = members.Select(m => group.SendAsync(m, "new")).Append(group.SendAsync(owner, "old again", "old-cmid")).ToList();
        var results = await Task.WhenAll(sends);

        Assert.Equal(old.Seq, results[^1].Seq);
        Assert.Equal(Enumerable.Range(22, 9).Select(i => (long)i), results[..^1].Select(r => r.Seq).Order());
        var page = await group.GetMessages(owner.UserId, new HistoryQuery(0, null, 50));
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), page.Messages.Select(m => m.Seq));
        Assert.Single(page.Messages, m => m.ClientMessageId == "old-cmid");
    }

    [Fact]
    public async Task Send_SameClientMessageIdWhileTheFirstIsCommitting_IsStoredOnce()
    {
        var (group, owner, _) = await Grains.NewGroupAsync(1);

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => group.SendAsync(owner, "once", "twin")));

        Assert.All(results, r => Assert.Equal(1, r.Seq));
        var page = await group.GetMessages(owner.UserId, new HistoryQuery(0, null, 50));
        Assert.Single(page.Messages);
    }

    [Fact]
    public async Task Send_SameClientMessageIdFromAnotherSender_IsADifferentMessage()
    {
        var (group, owner, members) = await Grains.NewGroupAsync(1);
        var a = await group.SendAsync(owner, "a", "same");
        var b = await group.SendAsync(members[0], "b", "same");
        Assert.NotEqual(a.Seq, b.Seq);
    }

    [Fact]
    public async Task Send_AfterReactivation_ResumesFromStoredSeqAndStillDeduplicates()
    {
        var (group, owner, _) = await Grains.NewGroupAsync(1);
        var first = await group.SendAsync(owner, "before", "early");
        await group.SendAsync(owner, "before 2");

        await DeactivateAllAsync();
        var repeat = await group.SendAsync(owner, "retry", "early");
        var next = await group.SendAsync(owner, "after");

        Assert.Equal(first.Seq, repeat.Seq);
        Assert.Equal(3, next.Seq);
    }

    [Fact]
    public async Task Send_WhenAnotherActivationStoredTheSeq_AcknowledgesNothingAndReloads()
    {
        var (group, owner, _) = await Grains.NewGroupAsync(1);
        await group.SendAsync(owner, "one");

        await StoreElsewhereAsync(group, owner, seq: 2);

        var refused = await Assert.ThrowsAsync<MessengerException>(() => group.SendAsync(owner, "stale"));
        Assert.Equal(ErrorCodes.Unavailable, refused.Code);

        var retried = await RetryAsync(() => group.SendAsync(owner, "stale"));
        Assert.Equal(3, retried.Seq);
        var page = await group.GetMessages(owner.UserId, new HistoryQuery(0, null, 50));
        Assert.Equal([1L, 2L, 3L], page.Messages.Select(m => m.Seq));
    }

    [Fact]
    public async Task Send_ConcurrentSendsWhenAnotherActivationStoredTheSeq_AcknowledgeNothingAndLeaveNoGap()
    {
        var (group, owner, members) = await Grains.NewGroupAsync(9);
        await group.SendAsync(owner, "one");
        await StoreElsewhereAsync(group, owner, seq: 2);

        var attempts = await Task.WhenAll(members.Select(m => Attempt(group.SendAsync(m, "stale", $"stale-{m.UserId}"))));

        // The stale activation refuses what reaches it; sends that arrive once it has stepped
        // aside are stored by a fresh one, after the seq stored elsewhere.
        Assert.Contains(attempts, a => a.Error == ErrorCodes.Unavailable);
        Assert.All(attempts, a => Assert.True(a.Error is null or ErrorCodes.Unavailable, a.Error));
        var acknowledged = await Task.WhenAll(members.Select(async (m, i) =>
            attempts[i].Result ?? await RetryAsync(() => group.SendAsync(m, "stale", $"stale-{m.UserId}"))));
        Assert.Equal(Enumerable.Range(3, 9).Select(i => (long)i), acknowledged.Select(r => r.Seq).Order());
        var page = await group.GetMessages(owner.UserId, new HistoryQuery(0, null, 50));
        Assert.Equal(Enumerable.Range(1, 11).Select(i => (long)i), page.Messages.Select(m => m.Seq));

        static async Task<(SendResult? Result, string? Error)> Attempt(Task<SendResult> send)
        {
            try
            {
                return (await send, null);
            }
            catch (MessengerException ex)
            {
                return (null, ex.Code);
            }
        }
    }

    [Fact]
    public async Task Send_ByNonMember_IsNotFound()
    {
        var (group, _, _) = await Grains.NewGroupAsync(1);
        var stranger = await Grains.NewUserAsync();
        var error = await Assert.ThrowsAsync<MessengerException>(() => group.SendAsync(stranger, "hi"));
        Assert.Equal(ErrorCodes.NotFound, error.Code);
        await Assert.ThrowsAsync<MessengerException>(() => group.GetMessages(stranger.UserId, new HistoryQuery(0, null, 10)));
    }

    [Fact]
    public async Task Send_TooLongOrEmptyText_IsRefused()
    {
        var (group, owner, _) = await Grains.NewGroupAsync(1);
        var tooLong = await Assert.ThrowsAsync<MessengerException>(() => group.SendAsync(owner, new string('x', 4001)));
        Assert.Equal(ErrorCodes.MessageTooLarge, tooLong.Code);
        var empty = await Assert.ThrowsAsync<MessengerException>(() => group.SendAsync(owner, "  "));
        Assert.Equal(ErrorCodes.ValidationFailed, empty.Code);
        Assert.Equal(1, (await group.SendAsync(owner, "fine")).Seq);
    }

    [Fact]
    public async Task GetMessages_PagesBackwardAndForwardInAscendingOrder()
    {
        var (group, owner, _) = await Grains.NewGroupAsync(1);
        for (var i = 1; i <= 7; i++)
        {
            await group.SendAsync(owner, $"m{i}");
        }

        var latest = await group.GetMessages(owner.UserId, new HistoryQuery(null, null, 3));
        Assert.Equal([5L, 6L, 7L], latest.Messages.Select(m => m.Seq));
        Assert.True(latest.HasMore);

        var before = await group.GetMessages(owner.UserId, new HistoryQuery(null, 5, 3));
        Assert.Equal([2L, 3L, 4L], before.Messages.Select(m => m.Seq));
        Assert.True(before.HasMore);

        var first = await group.GetMessages(owner.UserId, new HistoryQuery(null, 2, 3));
        Assert.Equal([1L], first.Messages.Select(m => m.Seq));
        Assert.False(first.HasMore);

        var after = await group.GetMessages(owner.UserId, new HistoryQuery(5, null, 3));
        Assert.Equal([6L, 7L], after.Messages.Select(m => m.Seq));
        Assert.False(after.HasMore);
    }

    [Fact]
    public async Task MarkRead_OnlyMovesForwardAndSendingMovesTheSendersOwn()
    {
        var (group, owner, members) = await Grains.NewGroupAsync(1);
        var reader = members[0];
        for (var i = 0; i < 5; i++)
        {
            await group.SendAsync(owner, $"m{i}");
        }

        await group.MarkRead(reader.UserId, 3);
        await group.MarkRead(reader.UserId, 1);
        await group.MarkRead(reader.UserId, 99);

        var summary = await group.GetSummary(reader.UserId);
        Assert.Equal(5, summary!.ReadSeq);
        Assert.Equal(5, (await group.GetSummary(owner.UserId))!.ReadSeq);

        await DeactivateAllAsync();
        Assert.Equal(5, (await group.GetSummary(owner.UserId))!.ReadSeq);
    }

    [Fact]
    public async Task OpenDirect_TwiceFromEitherSide_GivesTheSameConversation()
    {
        var alice = await Grains.NewUserAsync("alice");
        var bob = await Grains.NewUserAsync("bob");
        var id = ConversationIds.Direct(alice.UserId, bob.UserId);
        Assert.Equal(id, ConversationIds.Direct(bob.UserId, alice.UserId));

        var created = await Grains.GetGrain<IConversationGrain>(id).OpenDirect(alice, bob);
        var again = await Grains.GetGrain<IConversationGrain>(id).OpenDirect(bob, alice);

        Assert.True(created.Created);
        Assert.False(again.Created);
        var list = await Grains.GetGrain<IUserGrain>(bob.UserId).ListConversations();
        Assert.Equal(id, Assert.Single(list).ConversationId);
        Assert.Equal(alice.Username, list[0].Title);
    }

    // Simulates a second activation (e.g. across a partition) that stored this seq first.
    private async Task StoreElsewhereAsync(IConversationGrain group, UserProfile sender, long seq)
    {
        await using var db = NpgsqlDataSource.Create(fixture.ConnectionString);
        await using var cmd = db.CreateCommand("""
            WITH k AS (
                INSERT INTO conversation_keys (conversation_id) VALUES ($1)
                ON CONFLICT (conversation_id) DO UPDATE SET conversation_id = excluded.conversation_id
                RETURNING conversation_key)
            INSERT INTO messages (conversation_key, seq, sender_id, sender_username, client_message_id, text, sent_at)
            SELECT conversation_key, $2, $3, 'someone', 'elsewhere', 'written elsewhere', now() FROM k
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = group.GetPrimaryKeyString() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = seq });
        cmd.Parameters.Add(new NpgsqlParameter { Value = sender.UserId });
        await cmd.ExecuteNonQueryAsync();
    }

    private Task DeactivateAllAsync() =>
        Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

    private static async Task<T> RetryAsync<T>(Func<Task<T>> action)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await action();
            }
            catch (MessengerException ex) when (ex.Code == ErrorCodes.Unavailable && attempt < 20)
            {
                await Task.Delay(100);
            }
        }
    }
}
