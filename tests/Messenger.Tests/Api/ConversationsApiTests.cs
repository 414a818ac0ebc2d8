using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static Messenger.Tests.Api.AccountsApiTests;

namespace Messenger.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class ConversationsApiTests(ApiFixture api)
{
    [Fact]
    public async Task Direct_IsCreatedOnceAndSharedByBothSides()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();

        var first = await alice.Http.PostAsJsonAsync("/api/v1/conversations", new { kind = "direct", with = bob.Username });
        var again = await alice.Http.PostAsJsonAsync("/api/v1/conversations", new { kind = "direct", with = bob.Username.ToUpperInvariant() });
        var fromBob = await bob.Http.PostAsJsonAsync("/api/v1/conversations", new { kind = "direct", with = alice.Username });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fromBob.StatusCode);
        var body = await first.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("conversationId").GetString();
        Assert.Equal(id, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("conversationId").GetString());
        Assert.Equal(id, (await fromBob.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("conversationId").GetString());
        Assert.Equal("direct", body.GetProperty("kind").GetString());
        Assert.Equal(2, body.GetProperty("members").GetArrayLength());
    }

    [Fact]
    public async Task Direct_WithYourselfOrNobody_IsRefused()
    {
        var alice = await api.NewUserAsync();
        await AssertProblemAsync(await alice.Http.PostAsJsonAsync("/api/v1/conversations", new { kind = "direct", with = alice.Username }), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await alice.Http.PostAsJsonAsync("/api/v1/conversations", new { kind = "direct", with = "nobody-" + Guid.NewGuid().ToString("N")[..6] }), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await alice.Http.PostAsJsonAsync("/api/v1/conversations", new { kind = "direct" }), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await alice.Http.PostAsJsonAsync("/api/v1/conversations", new { kind = "channel", title = "x" }), HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Group_IsCreatedWithRoles_AndNonMembersGet404()
    {
        var owner = await api.NewUserAsync();
        var member = await api.NewUserAsync();
        var stranger = await api.NewUserAsync();

        var response = await owner.Http.PostAsJsonAsync("/api/v1/conversations", new { kind = "group", title = "Team", members = new[] { member.Username } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var group = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = group.GetProperty("conversationId").GetString()!;
        Assert.Equal("group", group.GetProperty("kind").GetString());
        Assert.Equal("Team", group.GetProperty("title").GetString());
        var roles = group.GetProperty("members").EnumerateArray().ToDictionary(m => m.GetProperty("username").GetString()!, m => m.GetProperty("role").GetString());
        Assert.Equal("owner", roles[owner.Username]);
        Assert.Equal("member", roles[member.Username]);

        var seenByMember = await member.GetJsonAsync($"/api/v1/conversations/{id}");
        Assert.Equal(id, seenByMember.GetProperty("conversationId").GetString());
        await AssertProblemAsync(await stranger.Http.GetAsync($"/api/v1/conversations/{id}"), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await stranger.Http.GetAsync("/api/v1/conversations/g_doesnotexist"), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await stranger.Http.GetAsync($"/api/v1/conversations/{new string('g', 300)}"), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await stranger.SendAsync(id, "let me in"), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await stranger.Http.GetAsync($"/api/v1/conversations/{id}/messages"), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Group_WithoutTitleOrWithUnknownMember_IsRefused()
    {
        var owner = await api.NewUserAsync();
        await AssertProblemAsync(await owner.Http.PostAsJsonAsync("/api/v1/conversations", new { kind = "group", members = Array.Empty<string>() }), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await owner.Http.PostAsJsonAsync("/api/v1/conversations", new { kind = "group", title = new string('t', 101) }), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await owner.Http.PostAsJsonAsync("/api/v1/conversations", new { kind = "group", title = "x", members = new[] { "ghost-" + Guid.NewGuid().ToString("N")[..6] } }), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task RenameAndMembers_FollowTheRoles()
    {
        var owner = await api.NewUserAsync();
        var member = await api.NewUserAsync();
        var admin = await api.NewUserAsync();
        var late = await api.NewUserAsync();
        var id = await owner.GroupWithAsync("Team", member);

        await AssertProblemAsync(await member.Http.PatchAsJsonAsync($"/api/v1/conversations/{id}", new { title = "Mine" }), HttpStatusCode.Forbidden, "forbidden");
        var renamed = await owner.Http.PatchAsJsonAsync($"/api/v1/conversations/{id}", new { title = "Renamed" });
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal("Renamed", (await renamed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());

        await AssertProblemAsync(await member.Http.PostAsJsonAsync($"/api/v1/conversations/{id}/members", new { username = late.Username }), HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.PostAsJsonAsync($"/api/v1/conversations/{id}/members", new { username = admin.Username, role = "admin" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.PostAsJsonAsync($"/api/v1/conversations/{id}/members", new { username = late.Username })).StatusCode);
        await AssertProblemAsync(await admin.Http.PostAsJsonAsync($"/api/v1/conversations/{id}/members", new { username = late.Username, role = "king" }), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await admin.Http.DeleteAsync($"/api/v1/conversations/{id}/members/{owner.Username}"), HttpStatusCode.Forbidden, "forbidden");
        await AssertProblemAsync(await member.Http.DeleteAsync($"/api/v1/conversations/{id}/members/{late.Username}"), HttpStatusCode.Forbidden, "forbidden");

        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/api/v1/conversations/{id}/members/{late.Username}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await member.Http.DeleteAsync($"/api/v1/conversations/{id}/members/{member.Username}")).StatusCode);
        await AssertProblemAsync(await owner.Http.DeleteAsync($"/api/v1/conversations/{id}/members/{late.Username}"), HttpStatusCode.NotFound, "not_a_member");

        var details = await owner.GetJsonAsync($"/api/v1/conversations/{id}");
        var names = details.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("username").GetString()).Order().ToArray();
        Assert.Equal(new[] { owner.Username, admin.Username }.Order().ToArray(), names);
        await AssertProblemAsync(await member.Http.GetAsync($"/api/v1/conversations/{id}"), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task List_IsLatestActivityFirst_WithUnreadCountsAndLastMessage()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        var carol = await api.NewUserAsync();
        var withBob = await alice.DirectWithAsync(bob);
        var withCarol = await alice.DirectWithAsync(carol);
        await bob.SendOkAsync(withBob, "one");
        await bob.SendOkAsync(withBob, "two");
        await carol.SendOkAsync(withCarol, "hi");
        await bob.SendOkAsync(withBob, "three");

        var list = (await alice.GetJsonAsync("/api/v1/conversations")).EnumerateArray().ToList();

        Assert.Equal([withBob, withCarol], list.Select(c => c.GetProperty("conversationId").GetString()));
        Assert.Equal(3, list[0].GetProperty("lastSeq").GetInt64());
        Assert.Equal(0, list[0].GetProperty("readSeq").GetInt64());
        Assert.Equal(3, list[0].GetProperty("unreadCount").GetInt64());
        Assert.Equal("three", list[0].GetProperty("lastMessage").GetProperty("text").GetString());
        Assert.Equal(bob.Username, list[0].GetProperty("title").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await alice.Http.PostAsJsonAsync($"/api/v1/conversations/{withBob}/read", new { seq = 2 })).StatusCode);
        var after = (await alice.GetJsonAsync("/api/v1/conversations")).EnumerateArray().First();
        Assert.Equal(1, after.GetProperty("unreadCount").GetInt64());
        var bobsView = (await bob.GetJsonAsync("/api/v1/conversations")).EnumerateArray().First();
        Assert.Equal(0, bobsView.GetProperty("unreadCount").GetInt64()); // sending reads your own
    }
}
