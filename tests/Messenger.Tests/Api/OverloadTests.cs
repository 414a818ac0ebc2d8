using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using static Messenger.Tests.Api.AccountsApiTests;

namespace Messenger.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class OverloadTests(ApiFixture api)
{
    [Fact]
    public async Task SendsPastTheInFlightBound_AreRefusedAtOnceWithRetryAfter_OverRestAndWebSocket()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        var conversationId = await alice.DirectWithAsync(bob);

        // A second ClientApi on the same cluster that admits no sends at all: the bound reached.
        await using var saturated = api.Factory.WithWebHostBuilder(web => web.UseSetting("Messenger:ClientApi:MaxInFlightSends", "0"));
        var http = saturated.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", alice.Token);

        var response = await http.PutAsJsonAsync($"/api/v1/conversations/{conversationId}/messages/refused-1", new { text = "too much" });

        await AssertProblemAsync(response, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.NotNull(response.Headers.RetryAfter);
        var client = saturated.Server.CreateWebSocketClient();
        await using var socket = new TestSocket(await client.ConnectAsync(new Uri(saturated.Server.BaseAddress, $"/api/v1/ws?access_token={alice.Token}"), CancellationToken.None));
        await socket.NextAsync("ready");
        await socket.SendJsonAsync(new { type = "send", @ref = "r", conversationId, clientMessageId = "refused-2", text = "too much" });
        var error = await socket.NextAsync("error");
        Assert.Equal("rate_limited", error.GetProperty("code").GetString());
        Assert.Equal("r", error.GetProperty("ref").GetString());

        // Nothing refused was stored; the normal instance still takes the same send.
        var history = await alice.GetJsonAsync($"/api/v1/conversations/{conversationId}/messages");
        Assert.Empty(history.GetProperty("messages").EnumerateArray());
        Assert.Equal(1, await alice.SendOkAsync(conversationId, "later", "refused-1"));
    }

    [Fact]
    public async Task ASessionWithEverySendSlotTaken_IsRefusedAtOnce_AndOtherSessionsAreNot()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        var conversationId = await alice.DirectWithAsync(bob);

        // No send slot per session at all: every socket send is past the session's bound.
        await using var strict = api.Factory.WithWebHostBuilder(web => web.UseSetting("Messenger:WebSocket:MaxConcurrentSends", "0"));
        var client = strict.Server.CreateWebSocketClient();
        await using var socket = new TestSocket(await client.ConnectAsync(new Uri(strict.Server.BaseAddress, $"/api/v1/ws?access_token={alice.Token}"), CancellationToken.None));
        await socket.NextAsync("ready");

        await socket.SendJsonAsync(new { type = "send", @ref = "s1", conversationId, clientMessageId = "slot-1", text = "one" });
        var error = await socket.NextAsync("error", timeout: TimeSpan.FromSeconds(5));
        Assert.Equal("rate_limited", error.GetProperty("code").GetString());
        Assert.Equal("s1", error.GetProperty("ref").GetString());
        await socket.SendJsonAsync(new { type = "ping", @ref = "alive" });
        Assert.Equal("alive", (await socket.NextAsync("pong")).GetProperty("ref").GetString());

        // The refused send was not stored, and the same send through the normal instance is.
        var history = await alice.GetJsonAsync($"/api/v1/conversations/{conversationId}/messages");
        Assert.Empty(history.GetProperty("messages").EnumerateArray());
        await using var normal = await alice.ConnectAsync();
        await normal.NextAsync("ready");
        await normal.SendJsonAsync(new { type = "send", @ref = "s2", conversationId, clientMessageId = "slot-1", text = "one" });
        Assert.Equal(1, (await normal.NextAsync("ack")).GetProperty("seq").GetInt64());
    }
}
