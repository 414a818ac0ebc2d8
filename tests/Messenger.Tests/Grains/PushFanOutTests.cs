using System.Collections.Concurrent;
using Messenger.Grains.Interfaces.Push;
using Orleans.Streams;

namespace Messenger.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class PushFanOutTests(ClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task Send_PublishesOnceToEachLiveClientApi_NamingEveryMember()
    {
        var (clientApiId, received, subscription) = await FakeClientApiAsync();
        try
        {
            var (group, owner, members) = await Grains.NewGroupAsync(2);

            var sent = await group.SendAsync(owner, "to everyone");

            await Eventually.TrueAsync(() => received.Any(e => e.Event is MessagePushed m && m.Message.Seq == sent.Seq), "the message on the ClientApi stream");
            await Task.Delay(300); // would a duplicate follow?
            var envelope = Assert.Single(received, e => e.Event is MessagePushed m && m.Message.ConversationId == group.GetPrimaryKeyString());
            Assert.Equal(new[] { owner.UserId, members[0].UserId, members[1].UserId }.Order(), envelope.UserIds.Order());
            Assert.Null(envelope.SessionIds);
        }
        finally
        {
            await subscription.UnsubscribeAsync();
        }
    }

    [Fact]
    public async Task CloseDevice_RevokesExactlyThatDevicesSessions()
    {
        var (clientApiId, received, subscription) = await FakeClientApiAsync();
        try
        {
            var user = await Grains.NewUserAsync();
            var grain = Grains.GetGrain<IUserGrain>(user.UserId);
            await grain.Connect(new SessionLease("phone-1", clientApiId, "phone"));
            await grain.Connect(new SessionLease("phone-2", clientApiId, "phone"));
            await grain.Connect(new SessionLease("laptop", clientApiId, "laptop"));

            await grain.CloseDevice("phone");

            await Eventually.TrueAsync(() => received.Any(e => e.Event is SessionRevoked), "the revocation on the ClientApi stream");
            var revoked = Assert.Single(received, e => e.Event is SessionRevoked);
            Assert.Equal(["phone-1", "phone-2"], revoked.SessionIds!.Order());
            Assert.Equal("online", (await grain.GetStatus())!.Presence); // the laptop is still there
        }
        finally
        {
            await subscription.UnsubscribeAsync();
        }
    }

    /// <summary>A ClientApi as the silos see one: in the directory, subscribed to its stream.</summary>
    private async Task<(string Id, ConcurrentQueue<PushEnvelope> Received, StreamSubscriptionHandle<PushBatch> Subscription)> FakeClientApiAsync()
    {
        var clientApiId = $"test-{Guid.NewGuid():N}";
        var received = new ConcurrentQueue<PushEnvelope>();
        var stream = fixture.Cluster.Client.GetStreamProvider(PushStreams.ProviderName).GetStream<PushBatch>(PushStreams.ForClientApi(clientApiId));
        var subscription = await stream.SubscribeAsync((batch, _) =>
        {
            foreach (var envelope in batch.Envelopes)
            {
                received.Enqueue(envelope);
            }

            return Task.CompletedTask;
        });
        await Grains.GetGrain<IClientApiDirectoryGrain>(0).Heartbeat(clientApiId);
        await fixture.RefreshClientApiDirectoriesAsync();
        return (clientApiId, received, subscription);
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
