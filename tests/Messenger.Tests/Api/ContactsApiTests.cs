using System.Net;
using System.Net.Http.Json;
using static Messenger.Tests.Api.AccountsApiTests;

namespace Messenger.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class ContactsApiTests(ApiFixture api)
{
    [Fact]
    public async Task AskThenAccept_ShowsOnBothSides_WithContactEventsToEverySessionOfBoth()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        await using var alicePhone = await alice.ConnectAsync();
        await using var aliceLaptop = await alice.ConnectAsync();
        await using var bobSocket = await bob.ConnectAsync();
        foreach (var s in new[] { alicePhone, aliceLaptop, bobSocket })
        {
            await s.NextAsync("ready");
        }

        Assert.Equal(HttpStatusCode.NoContent, (await alice.AskAsync(bob)).StatusCode);

        var incoming = await bobSocket.NextAsync("contact");
        Assert.Equal(alice.UserId, incoming.GetProperty("userId").GetString());
        Assert.Equal(alice.Username, incoming.GetProperty("username").GetString());
        Assert.Equal("incoming", incoming.GetProperty("state").GetString());
        Assert.Equal("outgoing", (await alicePhone.NextAsync("contact")).GetProperty("state").GetString());
        Assert.Equal("outgoing", (await aliceLaptop.NextAsync("contact")).GetProperty("state").GetString());
        Assert.Equal("outgoing", (await alice.ContactEntryAsync(bob))!.Value.GetProperty("state").GetString());
        var pending = (await bob.ContactEntryAsync(alice))!.Value;
        Assert.Equal("incoming", pending.GetProperty("state").GetString());
        Assert.Equal(alice.Username, pending.GetProperty("displayName").GetString());
        Assert.False(pending.TryGetProperty("presence", out _));

        Assert.Equal(HttpStatusCode.NoContent, (await bob.AskAsync(alice)).StatusCode);

        foreach (var s in new[] { alicePhone, aliceLaptop, bobSocket })
        {
            Assert.Equal("accepted", (await s.NextAsync("contact")).GetProperty("state").GetString());
        }

        var accepted = (await alice.ContactEntryAsync(bob))!.Value;
        Assert.Equal("accepted", accepted.GetProperty("state").GetString());
        Assert.Equal("online", accepted.GetProperty("presence").GetProperty("status").GetString());
        Assert.Equal("accepted", (await bob.ContactEntryAsync(alice))!.Value.GetProperty("state").GetString());
    }

    [Fact]
    public async Task AskingBothWaysAtOnce_EndsAccepted_AndRepeatsChangeNothing()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();

        var answers = await Task.WhenAll(alice.AskAsync(bob), bob.AskAsync(alice), alice.AskAsync(bob), bob.AskAsync(alice));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.NoContent, a.StatusCode));
        Assert.Equal("accepted", (await alice.ContactEntryAsync(bob))!.Value.GetProperty("state").GetString());
        Assert.Equal("accepted", (await bob.ContactEntryAsync(alice))!.Value.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Delete_Declines_Cancels_AndRemoves_OnBothSides_Idempotently()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        await using var bobSocket = await bob.ConnectAsync();
        await bobSocket.NextAsync("ready");

        await alice.AskAsync(bob);
        await bobSocket.NextAsync("contact", f => f.GetProperty("state").GetString() == "incoming");
        Assert.Equal(HttpStatusCode.NoContent, (await alice.Http.DeleteAsync($"/api/v1/contacts/{bob.Username}")).StatusCode); // cancel
        // The push of the earlier accept may reach a socket that connected right after it.
        await bobSocket.NextAsync("contact", f => f.GetProperty("state").GetString() == "removed");
        Assert.Null(await bob.ContactEntryAsync(alice));

        await alice.AskAsync(bob);
        Assert.Equal(HttpStatusCode.NoContent, (await bob.Http.DeleteAsync($"/api/v1/contacts/{alice.Username}")).StatusCode); // decline
        Assert.Null(await alice.ContactEntryAsync(bob));

        await alice.BecomeContactsAsync(bob);
        Assert.Equal(HttpStatusCode.NoContent, (await bob.Http.DeleteAsync($"/api/v1/contacts/{alice.Username.ToUpperInvariant()}")).StatusCode); // remove
        Assert.Equal(HttpStatusCode.NoContent, (await bob.Http.DeleteAsync($"/api/v1/contacts/{alice.Username}")).StatusCode); // again
        Assert.Null(await alice.ContactEntryAsync(bob));
        Assert.Null(await bob.ContactEntryAsync(alice));
    }

    [Fact]
    public async Task UnknownUsers_Are404_AndYourselfIs400()
    {
        var alice = await api.NewUserAsync();

        await AssertProblemAsync(await alice.Http.PutAsync("/api/v1/contacts/nobody-here-at-all", null), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await alice.Http.DeleteAsync("/api/v1/contacts/nobody-here-at-all"), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await alice.Http.PutAsync("/api/v1/blocks/nobody-here-at-all", null), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await alice.Http.DeleteAsync("/api/v1/blocks/bad name!"), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await alice.Http.PutAsync($"/api/v1/contacts/{alice.Username}", null), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await alice.Http.PutAsync($"/api/v1/blocks/{alice.Username}", null), HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Anonymous().GetAsync("/api/v1/contacts")).StatusCode);
    }

    [Fact]
    public async Task Block_RemovesTheContact_AndClosesTheDirectConversationBothWays_ButNotGroups()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        await alice.BecomeContactsAsync(bob);
        var direct = await alice.DirectWithAsync(bob);
        var group = await alice.GroupWithAsync("both of us", bob);
        await using var bobSocket = await bob.ConnectAsync();
        await bobSocket.NextAsync("ready");

        Assert.Equal(HttpStatusCode.NoContent, (await alice.Http.PutAsync($"/api/v1/blocks/{bob.Username}", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await alice.Http.PutAsync($"/api/v1/blocks/{bob.Username}", null)).StatusCode);

        // The push of the earlier accept may reach a socket that connected right after it.
        await bobSocket.NextAsync("contact", f => f.GetProperty("state").GetString() == "removed");
        Assert.Null(await alice.ContactEntryAsync(bob));
        Assert.Null(await bob.ContactEntryAsync(alice));
        var blocks = await alice.GetJsonAsync("/api/v1/blocks");
        Assert.Equal(bob.Username, Assert.Single(blocks.EnumerateArray()).GetProperty("username").GetString());
        Assert.Empty((await bob.GetJsonAsync("/api/v1/blocks")).EnumerateArray());
        await AssertProblemAsync(await bob.SendAsync(direct, "still there?"), HttpStatusCode.Forbidden, "blocked");
        await AssertProblemAsync(await alice.SendAsync(direct, "bye"), HttpStatusCode.Forbidden, "blocked");
        await AssertProblemAsync(await bob.AskAsync(alice), HttpStatusCode.Forbidden, "blocked");
        await AssertProblemAsync(await alice.AskAsync(bob), HttpStatusCode.Forbidden, "blocked");
        await bobSocket.SendJsonAsync(new { type = "send", @ref = "b", conversationId = direct, clientMessageId = "ws-1", text = "hello?" });
        Assert.Equal("blocked", (await bobSocket.NextAsync("error", f => f.GetProperty("ref").GetString() == "b")).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, (await bob.SendAsync(group, "groups are unaffected")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await alice.Http.DeleteAsync($"/api/v1/blocks/{bob.Username}")).StatusCode);

        Assert.Empty((await alice.GetJsonAsync("/api/v1/blocks")).EnumerateArray());
        Assert.Null(await alice.ContactEntryAsync(bob)); // not restored
        Assert.Equal(HttpStatusCode.OK, (await bob.SendAsync(direct, "hello again")).StatusCode);
    }

    [Fact]
    public async Task ABlockedPair_CannotStartTheirDirectConversation()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();

        await bob.Http.PutAsync($"/api/v1/blocks/{alice.Username}", null);

        var response = await alice.Http.PostAsJsonAsync("/api/v1/conversations", new { kind = "direct", with = bob.Username });
        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "blocked");
        var reverse = await bob.Http.PostAsJsonAsync("/api/v1/conversations", new { kind = "direct", with = alice.Username });
        await AssertProblemAsync(reverse, HttpStatusCode.Forbidden, "blocked");
        Assert.Empty((await alice.GetJsonAsync("/api/v1/conversations")).EnumerateArray());
    }
}
