using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;

namespace Messenger.Tests.Integration;

/// <summary>
/// End to end against real processes: two silo processes that find each other through the
/// PostgreSQL membership table, and a ClientApi process, over real HTTP and WebSockets.
/// </summary>
public sealed class RealProcessesTests : IAsyncLifetime
{
    private ProcessCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ProcessCluster.StartAsync(silos: 2);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task TwoSiloProcesses_FormOneCluster_AndAMessageTravelsSocketToSocket()
    {
        var alice = await RealUser.CreateAsync(_cluster.ClientApiUrl);
        var bob = await RealUser.CreateAsync(_cluster.ClientApiUrl);
        await _cluster.WaitUntilAsync(async _ => await _cluster.ActiveSilosAsync(alice.Token) == 2, "two active silos in /api/v1/cluster");
        var conversationId = await alice.DirectWithAsync(bob);
        await using var bobSocket = await TestSocketOverNetwork.ConnectAsync(_cluster.ClientApiUrl, bob.Token);
        await bobSocket.NextAsync("ready");

        var seq = await alice.SendAsync(conversationId, "over the wire", "e2e-1");

        var pushed = await bobSocket.NextAsync("message");
        Assert.Equal(seq, pushed.GetProperty("seq").GetInt64());
        Assert.Equal("over the wire", pushed.GetProperty("text").GetString());
    }

    [Fact]
    public async Task KillingASiloWhileSending_LosesNoAcknowledgedMessage_AndSeqsStayGapFree()
    {
        var users = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => RealUser.CreateAsync(_cluster.ClientApiUrl)));
        await _cluster.WaitUntilAsync(async _ => await _cluster.ActiveSilosAsync(users[0].Token) == 2, "two active silos");

        // Six conversations, so some of their grains live on the silo that dies.
        var pairs = Enumerable.Range(0, 6).Select(i => (Sender: users[2 * i], Receiver: users[(2 * i) + 1])).ToArray();
        var conversations = await Task.WhenAll(pairs.Select(p => p.Sender.DirectWithAsync(p.Receiver)));
        var acknowledged = new ConcurrentDictionary<(string Conversation, string ClientMessageId), long>();
        const int perConversation = 30;

        var senders = pairs.Select((pair, i) => Task.Run(async () =>
        {
            for (var n = 0; n < perConversation; n++)
            {
                var clientMessageId = $"m-{n}";

                // A client's retry loop: same clientMessageId until it is acknowledged.
                var seq = await pair.Sender.SendWithRetriesAsync(conversations[i], $"message {n}", clientMessageId, TimeSpan.FromSeconds(90));
                acknowledged[(conversations[i], clientMessageId)] = seq;
            }
        })).ToList();

        await Eventually.TrueAsync(() => acknowledged.Count >= 30, "some messages before the kill", TimeSpan.FromSeconds(60));
        _cluster.Kill("silo-0");
        await Task.WhenAll(senders);

        Assert.Equal(pairs.Length * perConversation, acknowledged.Count);
        for (var i = 0; i < pairs.Length; i++)
        {
            var stored = await pairs[i].Receiver.HistoryAsync(conversations[i]);
            Assert.Equal(Enumerable.Range(1, perConversation).Select(s => (long)s), stored.Select(m => m.GetProperty("seq").GetInt64()));
            Assert.Equal(perConversation, stored.Select(m => m.GetProperty("clientMessageId").GetString()).Distinct().Count());
            foreach (var message in stored)
            {
                Assert.Equal(acknowledged[(conversations[i], message.GetProperty("clientMessageId").GetString()!)], message.GetProperty("seq").GetInt64());
            }
        }
    }

    private sealed record RealUser(string Username, string Token, HttpClient Http)
    {
        public static async Task<RealUser> CreateAsync(Uri baseUrl)
        {
            var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(20) };
            var username = $"e2e{Guid.NewGuid().ToString("N")[..10]}";
            (await http.PostAsJsonAsync("/api/v1/auth/register", new { username, password = "password123" })).EnsureSuccessStatusCode();
            var login = await (await http.PostAsJsonAsync("/api/v1/auth/login", new { username, password = "password123" })).Content.ReadFromJsonAsync<JsonElement>();
            var token = login.GetProperty("accessToken").GetString()!;
            http.DefaultRequestHeaders.Authorization = new("Bearer", token);
            return new RealUser(username, token, http);
        }

        public async Task<string> DirectWithAsync(RealUser other)
        {
            var response = await Http.PostAsJsonAsync("/api/v1/conversations", new { kind = "direct", with = other.Username });
            return (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("conversationId").GetString()!;
        }

        public async Task<long> SendAsync(string conversationId, string text, string clientMessageId)
        {
            var response = await Http.PutAsJsonAsync($"/api/v1/conversations/{conversationId}/messages/{clientMessageId}", new { text });
            return (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("seq").GetInt64();
        }

        public async Task<long> SendWithRetriesAsync(string conversationId, string text, string clientMessageId, TimeSpan within)
        {
            var deadline = DateTime.UtcNow + within;
            while (true)
            {
                try
                {
                    return await SendAsync(conversationId, text, clientMessageId);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(200);
                }
            }
        }

        /// <summary>
        /// Reads the whole log, retrying 503s as a client honouring Retry-After does: grains
        /// that lived on the killed silo answer again once membership has declared it dead.
        /// </summary>
        public async Task<List<JsonElement>> HistoryAsync(string conversationId)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                var response = await Http.GetAsync($"/api/v1/conversations/{conversationId}/messages?after=0&limit=200");
                if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable && DateTime.UtcNow < deadline)
                {
                    Assert.True(response.Headers.RetryAfter is not null, "a 503 carries Retry-After");
                    await Task.Delay(500);
                    continue;
                }

                var page = await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
                return page.GetProperty("messages").EnumerateArray().ToList();
            }
        }
    }

    private static class TestSocketOverNetwork
    {
        public static async Task<TestSocket> ConnectAsync(Uri baseUrl, string token)
        {
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri($"ws://{baseUrl.Authority}/api/v1/ws?access_token={token}"), CancellationToken.None);
            return new TestSocket(socket);
        }
    }
}
