using System.Net;
using System.Net.Http.Json;
using static Messenger.Tests.Api.AccountsApiTests;

namespace Messenger.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class TypingTests(ApiFixture api)
{
    [Fact]
    public async Task Typing_ReachesTheOtherMembersSessions_NotTheSenders_AndIsNeverStored()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        var carol = await api.NewUserAsync();
        var group = await alice.GroupWithAsync("typing", bob, carol);
        await using var aliceOther = await alice.ConnectAsync();
        await using var bobSocket = await bob.ConnectAsync();
        await using var carolSocket = await carol.ConnectAsync();
        foreach (var s in new[] { aliceOther, bobSocket, carolSocket })
        {
            await s.NextAsync("ready");
        }

        Assert.Equal(HttpStatusCode.NoContent, (await alice.Http.PostAsJsonAsync($"/api/v1/conversations/{group}/typing", new { typing = true })).StatusCode);

        foreach (var s in new[] { bobSocket, carolSocket })
        {
            var typing = await s.NextAsync("typing");
            Assert.Equal(group, typing.GetProperty("conversationId").GetString());
            Assert.Equal(alice.UserId, typing.GetProperty("userId").GetString());
            Assert.True(typing.GetProperty("typing").GetBoolean());
        }

        await alice.Http.PostAsJsonAsync($"/api/v1/conversations/{group}/typing", new { typing = false });
        Assert.False((await bobSocket.NextAsync("typing")).GetProperty("typing").GetBoolean());
        await aliceOther.DrainAsync(TimeSpan.FromMilliseconds(300));
        Assert.Empty(aliceOther.Unread("typing"));
        Assert.Equal(0, (await alice.GetJsonAsync($"/api/v1/conversations/{group}")).GetProperty("lastSeq").GetInt64());
    }

    [Fact]
    public async Task TypingFrame_StartsTyping_AndItExpiresByItselfWithAFalse()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        var id = await alice.DirectWithAsync(bob);
        await using var aliceSocket = await alice.ConnectAsync();
        await using var bobSocket = await bob.ConnectAsync();
        await aliceSocket.NextAsync("ready");
        await bobSocket.NextAsync("ready");

        await aliceSocket.SendJsonAsync(new { type = "typing", conversationId = id, typing = true });
        Assert.True((await bobSocket.NextAsync("typing")).GetProperty("typing").GetBoolean());
        var started = DateTime.UtcNow;

        var expired = await bobSocket.NextAsync("typing", timeout: TimeSpan.FromSeconds(12));

        Assert.False(expired.GetProperty("typing").GetBoolean());
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(9));
    }

    [Fact]
    public async Task SendingAMessage_EndsTheSendersTyping()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        var id = await alice.DirectWithAsync(bob);
        await using var bobSocket = await bob.ConnectAsync();
        await bobSocket.NextAsync("ready");

        await alice.Http.PostAsJsonAsync($"/api/v1/conversations/{id}/typing", new { typing = true });
        await bobSocket.NextAsync("typing");
        await alice.SendOkAsync(id, "done typing");

        await bobSocket.NextAsync("message");
        Assert.False((await bobSocket.NextAsync("typing", timeout: TimeSpan.FromSeconds(2))).GetProperty("typing").GetBoolean());
    }

    [Fact]
    public async Task NonMembers_Get404_OrAnErrorFrame_AndBadBodies400()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        var outsider = await api.NewUserAsync();
        var id = await alice.DirectWithAsync(bob);

        await AssertProblemAsync(await outsider.Http.PostAsJsonAsync($"/api/v1/conversations/{id}/typing", new { typing = true }), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await alice.Http.PostAsJsonAsync($"/api/v1/conversations/{id}/typing", new { typing = "yes" }), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await alice.Http.PostAsJsonAsync($"/api/v1/conversations/{id}/typing", new { }), HttpStatusCode.BadRequest, "validation_failed");
        await using var socket = await outsider.ConnectAsync();
        await socket.NextAsync("ready");
        await socket.SendJsonAsync(new { type = "typing", @ref = "t1", conversationId = id, typing = true });
        Assert.Equal("not_found", (await socket.NextAsync("error", f => f.GetProperty("ref").GetString() == "t1")).GetProperty("code").GetString());
        await socket.SendJsonAsync(new { type = "typing", @ref = "t2", conversationId = id, typing = 1 });
        Assert.Equal("validation_failed", (await socket.NextAsync("error", f => f.GetProperty("ref").GetString() == "t2")).GetProperty("code").GetString());
    }
}
