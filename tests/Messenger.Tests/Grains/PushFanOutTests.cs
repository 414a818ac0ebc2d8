using System.Collections.Concurrent;
using Messenger.Grains.Interfaces.Push;
using Orleans.Streams;

namespace Messenger.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class PushFanOutTests(ClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task Send_PushesToEverySessionOfEveryMemberExactlyOnce_IncludingTheSendersOtherDevices()
    {
        var clientApiId = $"test-{Guid.NewGuid():N}";
        var received = new ConcurrentQueue<(string Session, PushEvent Event)>();
        var stream = fixture.Cluster.Client.GetStreamProvider(PushStreams.ProviderName).GetStream<SessionPush>(PushStreams.ForClientApi(clientApiId));
        var subscription = await stream.SubscribeAsync((push, _) =>
        {
            foreach (var session in push.SessionIds)
            {
                received.Enqueue((session, push.Event));
            }

            return Task.CompletedTask;
        });

        try
        {
            var (group, owner, members) = await Grains.NewGroupAsync(2);
            await Grains.GetGrain<IUserGrain>(owner.UserId).Connect(new SessionLease("owner-phone", clientApiId, "d1"));
            await Grains.GetGrain<IUserGrain>(owner.UserId).Connect(new SessionLease("owner-laptop", clientApiId, "d2"));
            await Grains.GetGrain<IUserGrain>(members[0].UserId).Connect(new SessionLease("member0", clientApiId, "d3"));
            // members[1] has no session: nothing is pushed for them.

            var sent = await group.SendAsync(owner, "to everyone");

            string[] expected = ["member0", "owner-laptop", "owner-phone"];
            await Eventually.TrueAsync(
                () => received.Count(r => r.Event is MessagePushed m && m.Message.Seq == sent.Seq) >= expected.Length,
                "the message to reach all three sessions");
            await Task.Delay(300); // would a duplicate follow?
            var pushes = received.Where(r => r.Event is MessagePushed m && m.Message.Seq == sent.Seq).Select(r => r.Session).Order().ToArray();
            Assert.Equal(expected, pushes);
        }
        finally
        {
            await subscription.UnsubscribeAsync();
        }
    }

    [Fact]
    public async Task Connect_ReturnsWhereEachConversationStands_AndExpiredLeasesStopCountingAsOnline()
    {
        var (group, owner, _) = await Grains.NewGroupAsync(1);
        await group.SendAsync(owner, "one");
        await group.SendAsync(owner, "two");
        var user = Grains.GetGrain<IUserGrain>(owner.UserId);

        var positions = await user.Connect(new SessionLease("s1", "nowhere", "d1"));

        var position = Assert.Single(positions);
        Assert.Equal(2, position.LastSeq);
        Assert.Equal(2, position.ReadSeq);
        Assert.Equal("online", (await user.GetStatus())!.Presence);
        await user.Disconnect("s1");
        Assert.Equal("offline", (await user.GetStatus())!.Presence);
    }
}
