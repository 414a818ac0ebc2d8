namespace Messenger.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class RelationshipTests(ClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task RequestsFromBothSidesAtOnce_OnDifferentSilos_BecomeAcceptedOnBothSides()
    {
        var pairs = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => NewPairAsync()));

        // Each side's call starts on a different silo, all at the same moment.
        await Task.WhenAll(pairs.SelectMany(p => new[]
        {
            Pair(fixture.GrainsOnSilo(0), p.A, p.B).Request(p.A, p.B),
            Pair(fixture.GrainsOnSilo(1), p.B, p.A).Request(p.B, p.A),
        }));

        foreach (var (a, b) in pairs)
        {
            Assert.Equal(ContactState.Accepted, await StateAsync(a, b));
            Assert.Equal(ContactState.Accepted, await StateAsync(b, a));
        }
    }

    [Fact]
    public async Task ConcurrentMixedActions_LeaveBothSidesAgreeing()
    {
        var pairs = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => NewPairAsync()));

        // Requests, removals and repeats from both sides and both silos, interleaved.
        await Task.WhenAll(pairs.SelectMany((p, i) => Enumerable.Range(0, 6).Select(round =>
        {
            var (actor, other) = (round + i) % 2 == 0 ? (p.A, p.B) : (p.B, p.A);
            var pair = Pair(fixture.GrainsOnSilo(round % 2), actor, other);
            return (round + i) % 3 == 2 ? pair.Remove(actor, other) : pair.Request(actor, other);
        })));

        foreach (var (a, b) in pairs)
        {
            var (seenByA, seenByB) = (await StateAsync(a, b), await StateAsync(b, a));
            var mirror = seenByA switch
            {
                ContactState.Outgoing => ContactState.Incoming,
                ContactState.Incoming => ContactState.Outgoing,
                var same => same,
            };
            Assert.Equal(mirror, seenByB);
        }
    }

    [Fact]
    public async Task RequestAcceptRemove_AreIdempotent_AndDeclineClearsBothSides()
    {
        var (a, b) = await NewPairAsync();
        var pair = Pair(Grains, a, b);

        await pair.Request(a, b);
        await pair.Request(a, b);
        Assert.Equal(ContactState.Outgoing, await StateAsync(a, b));
        Assert.Equal(ContactState.Incoming, await StateAsync(b, a));

        await pair.Remove(b, a); // declined
        await pair.Remove(b, a);
        Assert.Equal(ContactState.None, await StateAsync(a, b));
        Assert.Equal(ContactState.None, await StateAsync(b, a));

        await pair.Request(b, a);
        await pair.Request(a, b); // accepts
        await pair.Request(a, b);
        Assert.Equal(ContactState.Accepted, await StateAsync(a, b));
        Assert.Equal(ContactState.Accepted, await StateAsync(b, a));
    }

    [Fact]
    public async Task Block_RemovesTheContact_RefusesRequestsBothWays_AndUnblockDoesNotRestoreIt()
    {
        var (a, b) = await NewPairAsync();
        var pair = Pair(Grains, a, b);
        await pair.Request(a, b);
        await pair.Request(b, a);

        await pair.Block(b, a);

        Assert.Equal(ContactState.None, await StateAsync(a, b));
        Assert.Equal(ContactState.None, await StateAsync(b, a));
        Assert.Equal([a.UserId], (await Grains.GetGrain<IUserGrain>(b.UserId).ListBlocks()).Select(u => u.UserId));
        Assert.Empty(await Grains.GetGrain<IUserGrain>(a.UserId).ListBlocks());
        Assert.Equal(ErrorCodes.Blocked, (await Assert.ThrowsAsync<MessengerException>(() => pair.Request(a, b))).Code);
        Assert.Equal(ErrorCodes.Blocked, (await Assert.ThrowsAsync<MessengerException>(() => pair.Request(b, a))).Code);
        var direct = Grains.GetGrain<IConversationGrain>(ConversationIds.Direct(a.UserId, b.UserId));
        Assert.Equal(ErrorCodes.Blocked, (await Assert.ThrowsAsync<MessengerException>(() => direct.OpenDirect(a, b))).Code);

        await pair.Unblock(b, a);

        Assert.Empty(await Grains.GetGrain<IUserGrain>(b.UserId).ListBlocks());
        Assert.Equal(ContactState.None, await StateAsync(a, b));
        await direct.OpenDirect(a, b);
        await pair.Request(a, b);
        Assert.Equal(ContactState.Incoming, await StateAsync(b, a));
    }

    private async Task<(UserProfile A, UserProfile B)> NewPairAsync() => (await Grains.NewUserAsync("a"), await Grains.NewUserAsync("b"));

    private static IRelationshipGrain Pair(IGrainFactory grains, UserProfile x, UserProfile y) =>
        grains.GetGrain<IRelationshipGrain>(PairIds.Relationship(x.UserId, y.UserId));

    private async Task<ContactState> StateAsync(UserProfile viewer, UserProfile other) =>
        (await Grains.GetGrain<IUserGrain>(viewer.UserId).ListContacts()).SingleOrDefault(c => c.User.UserId == other.UserId)?.State ?? ContactState.None;
}
