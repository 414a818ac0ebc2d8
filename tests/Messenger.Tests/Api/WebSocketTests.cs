using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Messenger.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class WebSocketTests(ApiFixture api)
{
    [Fact]
    public async Task Ready_IsTheFirstFrame_WithEachConversationsPosition()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        var id = await alice.DirectWithAsync(bob);
        await alice.SendOkAsync(id, "one");
        await alice.SendOkAsync(id, "two");

        await using var socket = await bob.ConnectAsync();
        await socket.DrainAsync(TimeSpan.FromMilliseconds(500));

        var frames = socket.Unread("ready");
        var ready = Assert.Single(frames);
        Assert.Equal(bob.UserId, ready.GetProperty("userId").GetString());
        Assert.StartsWith("s_", ready.GetProperty("sessionId").GetString());
        var position = Assert.Single(ready.GetProperty("conversations").EnumerateArray());
        Assert.Equal(id, position.GetProperty("conversationId").GetString());
        Assert.Equal(2, position.GetProperty("lastSeq").GetInt64());
        Assert.Equal(0, position.GetProperty("readSeq").GetInt64());
    }

    [Fact]
    public async Task Message_IsPushedOnceToEverySessionOfEveryMember_IncludingTheSendersOtherDevice()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        var id = await alice.DirectWithAsync(bob);
        await using var bobPhone = await bob.ConnectAsync();
        await using var bobLaptop = await bob.ConnectAsync();
        await using var aliceOther = await alice.ConnectAsync();
        foreach (var s in new[] { bobPhone, bobLaptop, aliceOther })
        {
            await s.NextAsync("ready");
        }

        var seq = await alice.SendOkAsync(id, "hi all");

        foreach (var s in new[] { bobPhone, bobLaptop, aliceOther })
        {
            var message = await s.NextAsync("message");
            Assert.Equal(seq, message.GetProperty("seq").GetInt64());
            Assert.Equal("hi all", message.GetProperty("text").GetString());
            Assert.Equal(alice.Username, message.GetProperty("senderUsername").GetString());
            Assert.Equal(id, message.GetProperty("conversationId").GetString());
        }

        await bobPhone.DrainAsync(TimeSpan.FromMilliseconds(300));
        Assert.Empty(bobPhone.Unread("message"));
    }

    [Fact]
    public async Task SendFrame_IsAcknowledgedWithRef_AndIsIdempotent()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        var id = await alice.DirectWithAsync(bob);
        await using var socket = await alice.ConnectAsync();
        await socket.NextAsync("ready");

        await socket.SendJsonAsync(new { type = "send", @ref = "r1", conversationId = id, clientMessageId = "c-1", text = "over ws" });
        var ack = await socket.NextAsync("ack");
        await socket.SendJsonAsync(new { type = "send", @ref = 7, conversationId = id, clientMessageId = "c-1", text = "over ws" });
        var again = await socket.NextAsync("ack", f => f.GetProperty("ref").ValueKind == JsonValueKind.Number);

        Assert.Equal("r1", ack.GetProperty("ref").GetString());
        Assert.Equal(1, ack.GetProperty("seq").GetInt64());
        Assert.Equal(id, ack.GetProperty("conversationId").GetString());
        Assert.True(ack.TryGetProperty("sentAt", out _));
        Assert.Equal(7, again.GetProperty("ref").GetInt32());
        Assert.Equal(1, again.GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task BadFrames_GetErrorFrames_AndTheSocketStaysOpen()
    {
        var alice = await api.NewUserAsync();
        await using var socket = await alice.ConnectAsync();
        await socket.NextAsync("ready");

        await socket.SendTextAsync("this is not json");
        Assert.Equal("validation_failed", (await socket.NextAsync("error")).GetProperty("code").GetString());
        await socket.SendJsonAsync(new { type = "teleport", @ref = "x" });
        var unknown = await socket.NextAsync("error");
        Assert.Equal("x", unknown.GetProperty("ref").GetString());
        await socket.SendTextAsync("[1,2,3]");
        await socket.NextAsync("error");
        await socket.SendJsonAsync(new { type = "send", @ref = "s", conversationId = "g_nowhere", clientMessageId = "bad id!", text = "x" });
        Assert.Equal("validation_failed", (await socket.NextAsync("error", f => f.TryGetProperty("ref", out var r) && r.GetString() == "s")).GetProperty("code").GetString());
        await socket.SendJsonAsync(new { type = "send", @ref = "t", conversationId = "g_nowhere", clientMessageId = "ok", text = new string('x', 4001) });
        Assert.Equal("message_too_large", (await socket.NextAsync("error", f => f.TryGetProperty("ref", out var r) && r.GetString() == "t")).GetProperty("code").GetString());
        await socket.SendJsonAsync(new { type = "send", @ref = "n", conversationId = "g_nowhere", clientMessageId = "ok", text = "x" });
        Assert.Equal("not_found", (await socket.NextAsync("error", f => f.TryGetProperty("ref", out var r) && r.GetString() == "n")).GetProperty("code").GetString());
        await socket.SendJsonAsync(new { type = "read", conversationId = "g_nowhere", seq = "high" });
        await socket.NextAsync("error");

        await socket.SendJsonAsync(new { type = "ping", @ref = "still-there" });
        Assert.Equal("still-there", (await socket.NextAsync("pong")).GetProperty("ref").GetString());
    }

    [Fact]
    public async Task EmptyAndFragmentedFrames_AreReadAsWholeMessages()
    {
        // The reader waits for each message with a zero-byte read and takes a buffer only once a
        // header has arrived: an empty message and one split over several frames must still
        // come out whole.
        var alice = await api.NewUserAsync();
        await using var socket = await alice.ConnectAsync();
        await socket.NextAsync("ready");

        await socket.SendTextAsync("");
        Assert.Equal("validation_failed", (await socket.NextAsync("error")).GetProperty("code").GetString());

        var parts = new[] { "{\"type\":\"pi", "ng\",\"ref\":\"in-", "three\"}" };
        for (var i = 0; i < parts.Length; i++)
        {
            await socket.Socket.SendAsync(Encoding.UTF8.GetBytes(parts[i]), WebSocketMessageType.Text, endOfMessage: i == parts.Length - 1, CancellationToken.None);
        }

        Assert.Equal("in-three", (await socket.NextAsync("pong")).GetProperty("ref").GetString());

        await socket.Socket.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
        Assert.Equal("validation_failed", (await socket.NextAsync("error")).GetProperty("code").GetString());
        await socket.SendJsonAsync(new { type = "ping", @ref = "after" });
        Assert.Equal("after", (await socket.NextAsync("pong")).GetProperty("ref").GetString());
    }

    [Fact]
    public async Task FrameOf64KiB_IsRead_AndOneOver64KiB_ClosesWith1009()
    {
        var alice = await api.NewUserAsync();
        await using var socket = await alice.ConnectAsync();
        await socket.NextAsync("ready");

        const string prefix = "{\"type\":\"ping\",\"ref\":\"";
        var exactly64KiB = prefix + new string('x', (64 * 1024) - prefix.Length - 2) + "\"}";
        await socket.SendTextAsync(exactly64KiB);
        await socket.NextAsync("pong");

        await socket.SendTextAsync($"{{\"type\":\"ping\",\"ref\":\"{new string('x', 70 * 1024)}\"}}");

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await socket.ClosedAsync());
    }

    [Fact]
    public async Task ClientsClose_IsAnsweredWithACloseFrame_AfterTheFramesAlreadyQueued()
    {
        var alice = await api.NewUserAsync();
        await using var socket = await alice.ConnectAsync();
        await socket.NextAsync("ready");

        for (var i = 0; i < 200; i++)
        {
            await socket.SendJsonAsync(new { type = "ping", @ref = i });
        }

        await socket.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);

        // Every answer to a frame sent before the close, then the server's close frame: a
        // complete handshake, not a cut connection.
        await socket.DrainAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(200, socket.Unread("pong").Count);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
        Assert.Equal(WebSocketState.Closed, socket.Socket.State);
    }

    [Fact]
    public async Task ReadFrame_MovesReadSeqAndPushesAReceiptToMembers()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        var id = await alice.DirectWithAsync(bob);
        await alice.SendOkAsync(id, "read me");
        await using var aliceSocket = await alice.ConnectAsync();
        await using var bobSocket = await bob.ConnectAsync();
        await aliceSocket.NextAsync("ready");
        await bobSocket.NextAsync("ready");

        await bobSocket.SendJsonAsync(new { type = "read", conversationId = id, seq = 1 });

        var receipt = await aliceSocket.NextAsync("receipt");
        Assert.Equal(id, receipt.GetProperty("conversationId").GetString());
        Assert.Equal(bob.UserId, receipt.GetProperty("userId").GetString());
        Assert.Equal(1, receipt.GetProperty("readSeq").GetInt64());
    }

    [Fact]
    public async Task BeingAddedToAGroup_PushesAConversationEvent()
    {
        var owner = await api.NewUserAsync();
        var newcomer = await api.NewUserAsync();
        await using var socket = await newcomer.ConnectAsync();
        await socket.NextAsync("ready");

        var id = await owner.GroupWithAsync("Welcome");
        await owner.Http.PostAsJsonAsync($"/api/v1/conversations/{id}/members", new { username = newcomer.Username });

        var added = await socket.NextAsync("conversation");
        Assert.Equal(id, added.GetProperty("conversationId").GetString());
        Assert.Equal("member_added", added.GetProperty("change").GetString());
    }

    [Fact]
    public async Task Upgrade_WithBadToken_Is401BeforeTheUpgrade()
    {
        var client = api.Factory.Server.CreateWebSocketClient();
        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            client.ConnectAsync(new Uri(api.Factory.Server.BaseAddress, "/api/v1/ws?access_token=nope"), CancellationToken.None));
        Assert.Contains("401", error.Message);

        var plain = await api.Anonymous().GetAsync("/api/v1/ws");
        Assert.Equal(HttpStatusCode.Unauthorized, plain.StatusCode);
    }
}
