using System.Net;
using System.Net.Http.Json;
using static Messenger.Tests.Api.AccountsApiTests;

namespace Messenger.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class PresenceApiTests(ApiFixture api)
{
    [Fact]
    public async Task Changes_ReachAcceptedContacts_AndNobodyElse()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        var carol = await api.NewUserAsync(); // asked, never accepted
        var dave = await api.NewUserAsync(); // a stranger
        await alice.BecomeContactsAsync(bob);
        await carol.AskAsync(alice);
        await using var bobSocket = await bob.ConnectAsync();
        await using var carolSocket = await carol.ConnectAsync();
        await using var daveSocket = await dave.ConnectAsync();
        foreach (var s in new[] { bobSocket, carolSocket, daveSocket })
        {
            await s.NextAsync("ready");
        }

        var aliceSocket = await alice.ConnectAsync();
        await aliceSocket.NextAsync("ready");
        await AssertPresenceAsync(bobSocket, alice, "online");

        Assert.Equal(HttpStatusCode.NoContent, (await alice.Http.PutAsJsonAsync("/api/v1/presence", new { status = "away", note = "lunch" })).StatusCode);
        var away = await AssertPresenceAsync(bobSocket, alice, "away");
        Assert.Equal("lunch", away.GetProperty("note").GetString());
        Assert.Equal(alice.Username, away.GetProperty("username").GetString());

        await aliceSocket.SendJsonAsync(new { type = "presence", status = "busy" });
        var busy = await AssertPresenceAsync(bobSocket, alice, "busy");
        Assert.False(busy.TryGetProperty("note", out _));

        await aliceSocket.DisposeAsync();
        await AssertPresenceAsync(bobSocket, alice, "offline");

        await carolSocket.DrainAsync(TimeSpan.FromMilliseconds(300));
        await daveSocket.DrainAsync(TimeSpan.FromMilliseconds(100));
        Assert.Empty(carolSocket.Unread("presence"));
        Assert.Empty(daveSocket.Unread("presence"));
    }

    [Fact]
    public async Task ASocketThatDropsWithoutAClose_GoesOfflineAtOnce_NotWhenItsLeaseRunsOut()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        await alice.BecomeContactsAsync(bob);
        await using var bobSocket = await bob.ConnectAsync();
        await bobSocket.NextAsync("ready");
        var aliceSocket = await alice.ConnectAsync();
        await aliceSocket.NextAsync("ready");
        await AssertPresenceAsync(bobSocket, alice, "online");

        aliceSocket.Socket.Abort(); // no close frame: the connection just ends

        // Within seconds, where the 45 s session lease would take up to a minute.
        await AssertPresenceAsync(bobSocket, alice, "offline");
    }

    [Fact]
    public async Task Invisible_LooksOfflineToContacts_ButNotToTheUser()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        await alice.BecomeContactsAsync(bob);
        await using var bobSocket = await bob.ConnectAsync();
        await bobSocket.NextAsync("ready");
        await using var aliceSocket = await alice.ConnectAsync();
        await aliceSocket.NextAsync("ready");
        await AssertPresenceAsync(bobSocket, alice, "online");

        await alice.Http.PutAsJsonAsync("/api/v1/presence", new { status = "invisible" });

        await AssertPresenceAsync(bobSocket, alice, "offline");
        Assert.Equal("offline", (await bob.GetJsonAsync($"/api/v1/users/{alice.Username}")).GetProperty("presence").GetProperty("status").GetString());
        Assert.Equal("invisible", (await alice.GetJsonAsync("/api/v1/me")).GetProperty("presence").GetProperty("status").GetString());
    }

    [Fact]
    public async Task ContactsAndProfiles_ShowPresenceOnlyToAcceptedContacts()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        var stranger = await api.NewUserAsync();
        await alice.BecomeContactsAsync(bob);
        await using var aliceSocket = await alice.ConnectAsync();
        await aliceSocket.NextAsync("ready");
        await alice.Http.PutAsJsonAsync("/api/v1/presence", new { status = "busy", note = "in a meeting" });

        var seenByBob = (await bob.GetJsonAsync($"/api/v1/users/{alice.Username}")).GetProperty("presence");
        Assert.Equal("busy", seenByBob.GetProperty("status").GetString());
        Assert.Equal("in a meeting", seenByBob.GetProperty("note").GetString());
        Assert.False((await stranger.GetJsonAsync($"/api/v1/users/{alice.Username}")).TryGetProperty("presence", out _));
        var entry = (await bob.ContactEntryAsync(alice))!.Value;
        Assert.Equal("busy", entry.GetProperty("presence").GetProperty("status").GetString());
        var me = (await alice.GetJsonAsync("/api/v1/me")).GetProperty("presence");
        Assert.Equal("busy", me.GetProperty("status").GetString());
        Assert.Equal("in a meeting", me.GetProperty("note").GetString());

        await bob.Http.PutAsync($"/api/v1/blocks/{alice.Username}", null);

        Assert.False((await bob.GetJsonAsync($"/api/v1/users/{alice.Username}")).TryGetProperty("presence", out _));
        Assert.False((await alice.GetJsonAsync($"/api/v1/users/{bob.Username}")).TryGetProperty("presence", out _));
    }

    [Fact]
    public async Task BadPresence_Is400_OrAnErrorFrame()
    {
        var alice = await api.NewUserAsync();

        await AssertProblemAsync(await alice.Http.PutAsJsonAsync("/api/v1/presence", new { status = "offline" }), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await alice.Http.PutAsJsonAsync("/api/v1/presence", new { note = "no status" }), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await alice.Http.PutAsJsonAsync("/api/v1/presence", new { status = "away", note = new string('n', 201) }), HttpStatusCode.BadRequest, "validation_failed");
        await using var socket = await alice.ConnectAsync();
        await socket.NextAsync("ready");
        await socket.SendJsonAsync(new { type = "presence", @ref = "p1", status = "sleeping" });
        Assert.Equal("validation_failed", (await socket.NextAsync("error", f => f.GetProperty("ref").GetString() == "p1")).GetProperty("code").GetString());
        await socket.SendJsonAsync(new { type = "presence", @ref = "p2", status = 3 });
        Assert.Equal("validation_failed", (await socket.NextAsync("error", f => f.GetProperty("ref").GetString() == "p2")).GetProperty("code").GetString());
    }

    private static async Task<System.Text.Json.JsonElement> AssertPresenceAsync(TestSocket socket, TestUser of, string status)
    {
        var frame = await socket.NextAsync("presence", f => f.GetProperty("userId").GetString() == of.UserId, TimeSpan.FromSeconds(5));
        Assert.Equal(status, frame.GetProperty("status").GetString());
        return frame;
    }
}
