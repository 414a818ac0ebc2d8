using Messenger.Grains.Interfaces.Push;

namespace Messenger.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class PresenceTests(ClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task AChange_IsOneEnvelopeNamingEveryAcceptedContact_AndNobodyElse()
    {
        await using var clientApi = await FakeClientApi.StartAsync(fixture);
        var user = await Grains.NewUserAsync();
        var contacts = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Grains.NewUserAsync("c")));
        foreach (var contact in contacts)
        {
            await AcceptAsync(user, contact);
        }

        var asked = await Grains.NewUserAsync("pending");
        await Pair(user, asked).Request(user, asked);
        var grain = Grains.GetGrain<IUserGrain>(user.UserId);

        await grain.Connect(new SessionLease("s1", clientApi.Id, "d1"));
        await grain.SetPresence(new Presence(PresenceStatuses.Away, "lunch"));

        await Eventually.TrueAsync(() => clientApi.Events<PresenceChanged>(p => p.UserId == user.UserId && p.Status == "away").Count > 0, "the away presence");
        var online = Assert.Single(clientApi.Events<PresenceChanged>(p => p.UserId == user.UserId && p.Status == "online"));
        var away = Assert.Single(clientApi.Events<PresenceChanged>(p => p.UserId == user.UserId && p.Status == "away"));
        Assert.Equal(contacts.Select(c => c.UserId).Order(), online.Envelope.UserIds.Order());
        Assert.Equal(contacts.Select(c => c.UserId).Order(), away.Envelope.UserIds.Order());
        Assert.Equal("lunch", away.Event.Note);
        Assert.Equal(user.Username, away.Event.Username);
    }

    [Fact]
    public async Task Presence_IsAggregatedOverSessionsOnDifferentClientApis()
    {
        await using var clientApi = await FakeClientApi.StartAsync(fixture);
        var (user, contact) = (await Grains.NewUserAsync(), await Grains.NewUserAsync("c"));
        await AcceptAsync(user, contact);
        var grain = Grains.GetGrain<IUserGrain>(user.UserId);

        await grain.Connect(new SessionLease("phone", "clientapi-1", "phone"));
        await grain.Connect(new SessionLease("laptop", "clientapi-2", "laptop"));
        await grain.Disconnect("phone");
        Assert.Equal(PresenceStatuses.Online, (await grain.GetPresenceFor(contact.UserId))!.Status);

        await grain.SetPresence(new Presence(PresenceStatuses.Invisible, null));
        Assert.Equal(PresenceStatuses.Offline, (await grain.GetPresenceFor(contact.UserId))!.Status);
        Assert.Equal(PresenceStatuses.Invisible, (await grain.GetStatus())!.Presence); // the user sees their own choice

        await grain.SetPresence(new Presence(PresenceStatuses.Busy, null));
        await grain.Disconnect("laptop");

        Assert.Equal(PresenceStatuses.Offline, (await grain.GetPresenceFor(contact.UserId))!.Status);
        await Eventually.TrueAsync(() => clientApi.Events<PresenceChanged>(p => p.UserId == user.UserId).Count == 4, "four presence changes");
        Assert.Equal(["online", "offline", "busy", "offline"], clientApi.Events<PresenceChanged>(p => p.UserId == user.UserId).Select(p => p.Event.Status));
        Assert.Null(await grain.GetPresenceFor((await Grains.NewUserAsync("stranger")).UserId));
    }

    [Fact]
    public async Task ALeaseThatIsNotRenewed_Expires_AndContactsAreToldOffline()
    {
        await using var clientApi = await FakeClientApi.StartAsync(fixture);
        var (user, contact) = (await Grains.NewUserAsync(), await Grains.NewUserAsync("c"));
        await AcceptAsync(user, contact);
        var grain = Grains.GetGrain<IUserGrain>(user.UserId);
        await grain.Connect(new SessionLease("kept", "alive-clientapi", "d1"));
        await grain.Connect(new SessionLease("lost", "crashed-clientapi", "d2"));

        ClusterFixture.LeaseClock.Advance(SessionLeases.Duration - TimeSpan.FromSeconds(5));
        await grain.RenewSessions([new SessionLease("kept", "alive-clientapi", "d1")]);
        ClusterFixture.LeaseClock.Advance(TimeSpan.FromSeconds(10));

        // Only the crashed ClientApi's session is gone: still online.
        Assert.Equal(PresenceStatuses.Online, (await grain.GetPresenceFor(contact.UserId))!.Status);

        ClusterFixture.LeaseClock.Advance(SessionLeases.Duration);

        Assert.Equal(PresenceStatuses.Offline, (await grain.GetPresenceFor(contact.UserId))!.Status);
        await Eventually.TrueAsync(() => clientApi.Events<PresenceChanged>(p => p.UserId == user.UserId && p.Status == "offline").Count == 1, "the offline presence");
        Assert.Equal([contact.UserId], Assert.Single(clientApi.Events<PresenceChanged>(p => p.UserId == user.UserId && p.Status == "offline")).Envelope.UserIds);
    }

    [Fact]
    public async Task AChangeFor1000Contacts_IsOneEnvelope_OnTheClientApiWithinASecond()
    {
        var user = await Grains.NewUserAsync();
        var grain = Grains.GetGrain<IUserGrain>(user.UserId);

        // Only this user's side matters for the fan-out; the contacts need no accounts of their own.
        var contactIds = Enumerable.Range(0, 1000).Select(i => $"contact-{i}-{Guid.NewGuid():N}").ToList();
        foreach (var id in contactIds)
        {
            await grain.ApplyContact(new ContactUpdate(new UserProfile(id, id[..20], id[..20]), ContactState.Accepted, false, 1));
        }

        // Joined after the slow set-up, so its directory lease (20 s without heartbeats) is fresh.
        await using var clientApi = await FakeClientApi.StartAsync(fixture);
        await grain.Connect(new SessionLease("s1", clientApi.Id, "d1"));
        await Eventually.TrueAsync(() => clientApi.Events<PresenceChanged>(p => p.UserId == user.UserId).Count == 1, "the online presence");
        var started = System.Diagnostics.Stopwatch.StartNew();

        await grain.SetPresence(new Presence(PresenceStatuses.Busy, null));
        await Eventually.TrueAsync(() => clientApi.Events<PresenceChanged>(p => p.UserId == user.UserId && p.Status == "busy").Count == 1, "the busy presence", TimeSpan.FromSeconds(1));

        var elapsed = started.Elapsed;
        var busy = Assert.Single(clientApi.Events<PresenceChanged>(p => p.UserId == user.UserId && p.Status == "busy"));
        Assert.Equal(contactIds.Order(), busy.Envelope.UserIds.Order());
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"took {elapsed.TotalMilliseconds:F0} ms");
        Console.WriteLine($"Presence change to 1000 contacts reached the ClientApi stream in {elapsed.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task SetPresence_RefusesStatusesThatCannotBeChosen()
    {
        var user = Grains.GetGrain<IUserGrain>((await Grains.NewUserAsync()).UserId);

        var error = await Assert.ThrowsAsync<MessengerException>(() => user.SetPresence(new Presence(PresenceStatuses.Offline, null)));

        Assert.Equal(ErrorCodes.ValidationFailed, error.Code);
    }

    private async Task AcceptAsync(UserProfile a, UserProfile b)
    {
        await Pair(a, b).Request(a, b);
        await Pair(a, b).Request(b, a);
    }

    private IRelationshipGrain Pair(UserProfile a, UserProfile b) => Grains.GetGrain<IRelationshipGrain>(PairIds.Relationship(a.UserId, b.UserId));
}
