using Messenger.Grains.Interfaces.Push;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Core.Internal;
using Orleans.TestingHost;

namespace Messenger.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class PushFanOutTests(ClusterFixture fixture)
{
    /// <summary>A little more than <c>ConversationOptions.StreamSettleTime</c>.</summary>
    private static readonly TimeSpan AfterStreamSettle = TimeSpan.FromSeconds(1.2);

    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task Send_PublishesOnceToEachLiveClientApi_NamingEveryMember()
    {
        await using var clientApi = await FakeClientApi.StartAsync(fixture);
        var received = clientApi.Received;
        var (group, owner, members) = await Grains.NewGroupAsync(2);

        var sent = await group.SendAsync(owner, "to everyone");

        await Eventually.TrueAsync(() => received.Any(e => e.Event is MessagePushed m && m.Message.Seq == sent.Seq), "the message on the ClientApi stream");
        await Task.Delay(300); // would a duplicate follow?
        var envelope = Assert.Single(received, e => e.Event is MessagePushed m && m.Message.ConversationId == group.GetPrimaryKeyString());
        Assert.Equal(new[] { owner.UserId, members[0].UserId, members[1].UserId }.Order(), envelope.UserIds.Order());
        Assert.Null(envelope.SessionIds);
    }

    [Fact]
    public async Task Send_CarriedByAClientApi_AnswersItThePush_AndStreamsTheMessageOnlyToTheOthers()
    {
        await using var carrier = await FakeClientApi.StartAsync(fixture);
        await using var other = await FakeClientApi.StartAsync(fixture);
        var (group, owner, members) = await Grains.NewGroupAsync(1);
        var id = group.GetPrimaryKeyString();
        await Task.Delay(AfterStreamSettle); // messages right after the group's creation follow it by stream
        var command = new SendMessageCommand(owner.UserId, "carried-1", "through a ClientApi", null, carrier.Id);

        var sent = await group.Send(command);

        var pushed = Assert.IsType<MessagePushed>(sent.Push?.Event);
        Assert.Equal((id, sent.Seq, "through a ClientApi"), (pushed.Message.ConversationId, pushed.Message.Seq, pushed.Message.Text));
        Assert.Equal(new[] { owner.UserId, members[0].UserId }.Order(), sent.Push!.UserIds.Order());
        await Eventually.TrueAsync(() => other.Events<MessagePushed>(m => m.Message.ConversationId == id).Count == 1, "the message on the other ClientApi's stream");
        await Task.Delay(300); // would it reach the carrier's stream too?
        Assert.Empty(carrier.Events<MessagePushed>(m => m.Message.ConversationId == id));

        // A repeat (as after a lost answer) of the latest message brings its push again: in a quiet
        // conversation nothing else would show the carrier's sessions that they missed it.
        var repeated = await group.Send(command);
        Assert.Equal(sent.Seq, repeated.Seq);
        Assert.Equal((id, sent.Seq), (Assert.IsType<MessagePushed>(repeated.Push?.Event).Message.ConversationId, ((MessagePushed)repeated.Push!.Event).Message.Seq));

        // Once a later message went out, its gap tells them; the older one's repeat brings no push.
        await group.Send(command with { ClientMessageId = "carried-2" });
        Assert.Null((await group.Send(command)).Push);
    }

    [Fact]
    public async Task ForAWhileAfterAConversationChange_MessagesFollowItByStream_ThenGoInAnswersWithTheirBurst()
    {
        await using var carrier = await FakeClientApi.StartAsync(fixture);
        var (group, owner, _) = await Grains.NewGroupAsync(1);
        var id = group.GetPrimaryKeyString();
        Task<SendResult> Send(string clientMessageId) =>
            group.Send(new SendMessageCommand(owner.UserId, clientMessageId, clientMessageId, null, carrier.Id));

        // "created" is on its way by stream; an answered message could overtake it.
        Assert.Null((await Send("m-1")).Push);
        await Eventually.TrueAsync(() => carrier.Events<MessagePushed>(m => m.Message.ConversationId == id).Count == 1, "m-1 on the carrier's own stream");
        var created = carrier.Received.ToList().FindIndex(e => e.Event is ConversationChanged c && c.ConversationId == id);
        var message = carrier.Received.ToList().FindIndex(e => e.Event is MessagePushed m && m.Message.ConversationId == id);
        Assert.InRange(created, 0, message - 1);

        await Task.Delay(AfterStreamSettle);
        var settled = await Send("m-2");
        Assert.NotNull(settled.Push);
        Assert.Equal(2, settled.PushBurstStart); // m-1 went out long ago: a ClientApi new to the conversation starts at 2
        var next = await Send("m-3");
        Assert.Equal((3, 2), (next.Seq, next.PushBurstStart));
        await Task.Delay(300);
        Assert.Single(carrier.Events<MessagePushed>(m => m.Message.ConversationId == id)); // m-2 and m-3 came only in answers
    }

    [Fact]
    public async Task RightAfterAConversationIsActivatedAgain_ItsMessagesGoByStream_WhatTheLastActivationSentMayStillBeOnItsWay()
    {
        await using var carrier = await FakeClientApi.StartAsync(fixture);
        var (group, owner, _) = await Grains.NewGroupAsync(1);
        Task<SendResult> Send(string clientMessageId) =>
            group.Send(new SendMessageCommand(owner.UserId, clientMessageId, clientMessageId, null, carrier.Id));
        await Task.Delay(AfterStreamSettle);
        Assert.NotNull((await Send("before")).Push);

        await group.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await Task.Delay(100);

        Assert.Null((await Send("after")).Push);
        await Task.Delay(AfterStreamSettle);
        Assert.NotNull((await Send("later")).Push);
    }

    [Fact]
    public async Task ALargeConversation_PushesByStreamOnly_EvenToTheCarrier()
    {
        await using var carrier = await FakeClientApi.StartAsync(fixture);
        var (group, owner, _) = await Grains.NewGroupAsync(64); // 65 members: one over AnsweredPushMaxMembers
        var id = group.GetPrimaryKeyString();
        await Task.Delay(AfterStreamSettle);

        var sent = await group.Send(new SendMessageCommand(owner.UserId, "to-the-room", "to the room", null, carrier.Id));

        Assert.Null(sent.Push);
        await Eventually.TrueAsync(() => carrier.Events<MessagePushed>(m => m.Message.ConversationId == id).Count == 1, "the message on the carrier's own stream");
    }

    [Fact]
    public async Task AfterTheDirectoryIsActivatedAfresh_PushesStillReachAClientApiItHasNotHeardFromYet()
    {
        await using var clientApi = await FakeClientApi.StartAsync(fixture);
        var directory = Grains.GetGrain<IClientApiDirectoryGrain>(0);

        // As when its silo dies: the next call activates a directory with an empty list.
        await directory.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await Eventually.TrueAsync(async () => !(await directory.GetLive()).StreamKeys.ContainsKey(clientApi.Id), "a fresh directory that has not heard from the ClientApi");
        await fixture.RefreshClientApiDirectoriesAsync();

        var (group, owner, _) = await Grains.NewGroupAsync(1);
        var sent = await group.SendAsync(owner, "while the directory is new");

        await Eventually.TrueAsync(() => clientApi.Received.Any(e => e.Event is MessagePushed m && m.Message.Seq == sent.Seq && m.Message.ConversationId == group.GetPrimaryKeyString()), "the push on the ClientApi's stream");
    }

    [Fact]
    public void EverySilo_KeepsDeliveredPushBatches_SecondsNotTheProvidersHalfHour()
    {
        // Orleans' memory streams keep delivered batches until a newer one is 30 minutes younger:
        // measured, a silo grew 1.3 MB/s at 4,000 direct sends/s (docs/performance.md).
        foreach (var silo in fixture.Cluster.Silos.Cast<InProcessSiloHandle>())
        {
            var eviction = silo.SiloHost.Services.GetRequiredService<IOptionsMonitor<StreamCacheEvictionOptions>>().Get(PushStreams.ProviderName);
            Assert.Equal(TimeSpan.FromSeconds(10), eviction.DataMaxAgeInCache);
            Assert.Equal(TimeSpan.FromSeconds(10), eviction.DataMinTimeInCache);
            Assert.Equal(TimeSpan.FromSeconds(10), eviction.MetadataMinTimeInCache);
        }
    }

    [Fact]
    public async Task CloseDevice_RevokesExactlyThatDevicesSessions()
    {
        await using var clientApi = await FakeClientApi.StartAsync(fixture);
        var received = clientApi.Received;
        var user = await Grains.NewUserAsync();
        var grain = Grains.GetGrain<IUserGrain>(user.UserId);
        await grain.Connect(new SessionLease("phone-1", clientApi.Id, "phone"));
        await grain.Connect(new SessionLease("phone-2", clientApi.Id, "phone"));
        await grain.Connect(new SessionLease("laptop", clientApi.Id, "laptop"));

        await grain.CloseDevice("phone");

        await Eventually.TrueAsync(() => received.Any(e => e.Event is SessionRevoked), "the revocation on the ClientApi stream");
        var revoked = Assert.Single(received, e => e.Event is SessionRevoked);
        Assert.Equal(["phone-1", "phone-2"], revoked.SessionIds!.Order());
        Assert.Equal("online", (await grain.GetStatus())!.Presence); // the laptop is still there
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
