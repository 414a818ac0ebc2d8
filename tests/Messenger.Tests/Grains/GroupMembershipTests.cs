namespace Messenger.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class GroupMembershipTests(ClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task CreateGroup_MakesTheCreatorOwnerAndOthersMembers()
    {
        var (group, owner, members) = await Grains.NewGroupAsync(2);
        var details = await group.GetDetails(members[0].UserId);
        Assert.Equal(ConversationKind.Group, details.Kind);
        Assert.Equal("Test group", details.Title);
        Assert.Equal(MemberRole.Owner, details.Members.Single(m => m.UserId == owner.UserId).Role);
        Assert.All(details.Members.Where(m => m.UserId != owner.UserId), m => Assert.Equal(MemberRole.Member, m.Role));
        Assert.Contains(group.GetPrimaryKeyString(), (await Grains.GetGrain<IUserGrain>(members[1].UserId).ListConversations()).Select(c => c.ConversationId));
    }

    [Fact]
    public async Task Rename_ByMember_IsForbidden_ByOwnerWorks()
    {
        var (group, owner, members) = await Grains.NewGroupAsync(1);
        var error = await Assert.ThrowsAsync<MessengerException>(() => group.Rename(members[0].UserId, "Mine now"));
        Assert.Equal(ErrorCodes.Forbidden, error.Code);
        await group.Rename(owner.UserId, "Renamed");
        Assert.Equal("Renamed", (await group.GetDetails(owner.UserId)).Title);
    }

    [Fact]
    public async Task Admin_CanAddMembersButNotOwnersOrRemoveOwners()
    {
        var (group, owner, members) = await Grains.NewGroupAsync(1);
        var admin = await Grains.NewUserAsync("admin");
        var newcomer = await Grains.NewUserAsync("new");
        await group.AddMember(owner.UserId, admin, MemberRole.Admin);

        await group.AddMember(admin.UserId, newcomer, MemberRole.Member);
        var addOwner = await Assert.ThrowsAsync<MessengerException>(() => group.AddMember(admin.UserId, members[0], MemberRole.Owner));
        var removeOwner = await Assert.ThrowsAsync<MessengerException>(() => group.RemoveMember(admin.UserId, owner.UserId));
        await group.RemoveMember(admin.UserId, members[0].UserId);

        Assert.Equal(ErrorCodes.Forbidden, addOwner.Code);
        Assert.Equal(ErrorCodes.Forbidden, removeOwner.Code);
        var details = await group.GetDetails(owner.UserId);
        Assert.Contains(details.Members, m => m.UserId == newcomer.UserId);
        Assert.DoesNotContain(details.Members, m => m.UserId == members[0].UserId);
        var removed = await Assert.ThrowsAsync<MessengerException>(() => group.GetDetails(members[0].UserId));
        Assert.Equal(ErrorCodes.NotFound, removed.Code);
    }

    [Fact]
    public async Task Member_CannotRemoveOthersButCanLeave()
    {
        var (group, _, members) = await Grains.NewGroupAsync(2);
        var error = await Assert.ThrowsAsync<MessengerException>(() => group.RemoveMember(members[0].UserId, members[1].UserId));
        Assert.Equal(ErrorCodes.Forbidden, error.Code);

        await group.RemoveMember(members[0].UserId, members[0].UserId);

        Assert.Null(await group.GetSummary(members[0].UserId));
        Assert.Empty(await Grains.GetGrain<IUserGrain>(members[0].UserId).ListConversations());
    }

    [Fact]
    public async Task LastOwnerLeaving_HandsOwnershipToTheLongestServingAdminElseMember()
    {
        var (group, owner, members) = await Grains.NewGroupAsync(2);
        await group.RemoveMember(owner.UserId, owner.UserId);

        var details = await group.GetDetails(members[0].UserId);
        Assert.Single(details.Members, m => m.Role == MemberRole.Owner);
    }

    [Fact]
    public async Task RemoveMember_WhoIsNotInTheGroup_IsNotAMember()
    {
        var (group, owner, _) = await Grains.NewGroupAsync(1);
        var stranger = await Grains.NewUserAsync();
        var error = await Assert.ThrowsAsync<MessengerException>(() => group.RemoveMember(owner.UserId, stranger.UserId));
        Assert.Equal(ErrorCodes.NotAMember, error.Code);
    }

    [Fact]
    public async Task DirectConversation_HasNoMemberManagement()
    {
        var alice = await Grains.NewUserAsync();
        var bob = await Grains.NewUserAsync();
        var carol = await Grains.NewUserAsync();
        var direct = Grains.GetGrain<IConversationGrain>(ConversationIds.Direct(alice.UserId, bob.UserId));
        await direct.OpenDirect(alice, bob);

        var error = await Assert.ThrowsAsync<MessengerException>(() => direct.AddMember(alice.UserId, carol, MemberRole.Member));
        Assert.Equal(ErrorCodes.Forbidden, error.Code);
    }
}
