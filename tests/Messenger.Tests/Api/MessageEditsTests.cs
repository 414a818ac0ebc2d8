using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static Messenger.Tests.Api.AccountsApiTests;

namespace Messenger.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class MessageEditsTests(ApiFixture api)
{
    [Fact]
    public async Task Edit_ChangesTheTextForEveryone_SetsEditedAt_AndLeavesSeqsAndUnreadAlone()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        var id = await alice.DirectWithAsync(bob);
        await alice.SendOkAsync(id, "helo");
        await alice.SendOkAsync(id, "second");
        await using var bobSocket = await bob.ConnectAsync();
        await bobSocket.NextAsync("ready");

        Assert.Equal(HttpStatusCode.NoContent, (await EditAsync(alice, id, 1, "hello")).StatusCode);

        var edited = await bobSocket.NextAsync("message.edited");
        Assert.Equal(id, edited.GetProperty("conversationId").GetString());
        Assert.Equal(1, edited.GetProperty("seq").GetInt64());
        Assert.Equal("hello", edited.GetProperty("text").GetString());
        Assert.EndsWith("Z", edited.GetProperty("editedAt").GetString());
        var first = (await HistoryAsync(bob, id, "after=0"))[0];
        Assert.Equal("hello", first.GetProperty("text").GetString());
        Assert.Equal(edited.GetProperty("editedAt").GetString(), first.GetProperty("editedAt").GetString());
        Assert.False(first.TryGetProperty("deleted", out _));
        Assert.False((await HistoryAsync(bob, id, "before=2"))[0].TryGetProperty("deleted", out _));
        var summary = Assert.Single((await bob.GetJsonAsync("/api/v1/conversations")).EnumerateArray());
        Assert.Equal(2, summary.GetProperty("lastSeq").GetInt64());
        Assert.Equal(2, summary.GetProperty("unreadCount").GetInt64());
    }

    [Fact]
    public async Task Edit_IsForTheSenderOnly_AndChecksTextSeqAndMembership()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        var outsider = await api.NewUserAsync();
        var id = await alice.DirectWithAsync(bob);
        await alice.SendOkAsync(id, "mine");

        await AssertProblemAsync(await EditAsync(bob, id, 1, "not yours"), HttpStatusCode.Forbidden, "forbidden");
        await AssertProblemAsync(await EditAsync(alice, id, 2, "no such seq"), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await EditAsync(alice, id, 0, "no such seq"), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await EditAsync(outsider, id, 1, "hi"), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await EditAsync(alice, id, 1, new string('x', 4001)), HttpStatusCode.RequestEntityTooLarge, "message_too_large");
        await AssertProblemAsync(await EditAsync(alice, id, 1, ""), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await alice.Http.PatchAsJsonAsync($"/api/v1/conversations/{id}/messages/one", new { text = "x" }), HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal("mine", (await HistoryAsync(alice, id, "after=0"))[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Delete_LeavesATombstoneForEveryone_AndItCannotBeEditedAfterwards()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        var id = await alice.DirectWithAsync(bob);
        await alice.SendOkAsync(id, "oops");
        await bob.SendOkAsync(id, "what?");
        await using var bobSocket = await bob.ConnectAsync();
        await bobSocket.NextAsync("ready");

        Assert.Equal(HttpStatusCode.NoContent, (await alice.Http.DeleteAsync($"/api/v1/conversations/{id}/messages/1")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await alice.Http.DeleteAsync($"/api/v1/conversations/{id}/messages/1")).StatusCode);

        var deleted = await bobSocket.NextAsync("message.deleted");
        Assert.Equal(1, deleted.GetProperty("seq").GetInt64());
        Assert.False(deleted.TryGetProperty("text", out _));
        await bobSocket.DrainAsync(TimeSpan.FromMilliseconds(300));
        Assert.Empty(bobSocket.Unread("message.deleted")); // the repeat told nobody
        var history = await HistoryAsync(bob, id, "after=0");
        Assert.Equal([1L, 2L], history.Select(m => m.GetProperty("seq").GetInt64()));
        Assert.True(history[0].GetProperty("deleted").GetBoolean());
        Assert.Equal("", history[0].GetProperty("text").GetString());
        Assert.Equal("what?", history[1].GetProperty("text").GetString());
        await AssertProblemAsync(await EditAsync(alice, id, 1, "back"), HttpStatusCode.Conflict, "conflict");
        await AssertProblemAsync(await alice.Http.DeleteAsync($"/api/v1/conversations/{id}/messages/2"), HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(2, await alice.SendOkAsync(id, "and on") - 1);
    }

    [Fact]
    public async Task GroupOwnersAndAdmins_DeleteOthersMessages_MembersDoNot_AndTheListShowsTheTombstone()
    {
        var owner = await api.NewUserAsync();
        var admin = await api.NewUserAsync();
        var member = await api.NewUserAsync();
        var group = await owner.GroupWithAsync("moderated", member);
        await owner.Http.PostAsJsonAsync($"/api/v1/conversations/{group}/members", new { username = admin.Username, role = "admin" });
        await member.SendOkAsync(group, "spam");
        await owner.SendOkAsync(group, "from the owner");
        await member.SendOkAsync(group, "more spam");

        await AssertProblemAsync(await member.Http.DeleteAsync($"/api/v1/conversations/{group}/messages/2"), HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/api/v1/conversations/{group}/messages/1")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/v1/conversations/{group}/messages/3")).StatusCode);
        await AssertProblemAsync(await owner.Http.DeleteAsync($"/api/v1/conversations/{group}/messages/4"), HttpStatusCode.NotFound, "not_found");

        var item = Assert.Single((await member.GetJsonAsync("/api/v1/conversations")).EnumerateArray());
        Assert.Equal(3, item.GetProperty("lastSeq").GetInt64());
        Assert.Equal(0, item.GetProperty("unreadCount").GetInt64());
        Assert.True(item.GetProperty("lastMessage").GetProperty("deleted").GetBoolean());
        Assert.Equal("", item.GetProperty("lastMessage").GetProperty("text").GetString());
        var latest = await HistoryAsync(owner, group, "limit=50");
        Assert.Equal([true, false, true], latest.Select(m => m.TryGetProperty("deleted", out var d) && d.GetBoolean()));
    }

    private static Task<HttpResponseMessage> EditAsync(TestUser user, string id, long seq, string text) =>
        user.Http.PatchAsJsonAsync($"/api/v1/conversations/{id}/messages/{seq}", new { text });

    private static async Task<List<JsonElement>> HistoryAsync(TestUser user, string id, string query) =>
        (await user.GetJsonAsync($"/api/v1/conversations/{id}/messages?{query}")).GetProperty("messages").EnumerateArray().ToList();
}
