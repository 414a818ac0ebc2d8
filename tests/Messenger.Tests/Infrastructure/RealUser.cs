using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;

namespace Messenger.Tests.Infrastructure;

/// <summary>A signed-in user of a real ClientApi process, over real HTTP, as a client app behaves.</summary>
public sealed record RealUser(string Username, string Token, HttpClient Http)
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

    /// <summary>The same user (same token) talking to another ClientApi instance.</summary>
    public RealUser Via(Uri baseUrl)
    {
        var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(20) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", Token);
        return this with { Http = http };
    }

    public async Task<TestSocket> ConnectAsync(Uri? baseUrl = null)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{(baseUrl ?? Http.BaseAddress!).Authority}/api/v1/ws?access_token={Token}"), CancellationToken.None);
        return new TestSocket(socket);
    }

    public async Task<string> DirectWithAsync(RealUser other)
    {
        var response = await Http.PostAsJsonAsync("/api/v1/conversations", new { kind = "direct", with = other.Username });
        return (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("conversationId").GetString()!;
    }

    public async Task<long> SendAsync(string conversationId, string text, string clientMessageId)
    {
        using var response = await Http.PutAsJsonAsync($"/api/v1/conversations/{conversationId}/messages/{clientMessageId}", new { text });
        if (!response.IsSuccessStatusCode)
        {
            // The problem's code and detail say why; the status alone does not.
            throw new HttpRequestException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}", null, response.StatusCode);
        }

        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("seq").GetInt64();
    }

    /// <summary>A client's retry loop: the same clientMessageId until the send is acknowledged.</summary>
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
    /// Reads the whole log page by page, retrying 503s as a client honouring Retry-After does:
    /// grains that lived on a killed silo answer again once membership has declared it dead.
    /// </summary>
    public async Task<List<JsonElement>> HistoryAsync(string conversationId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var messages = new List<JsonElement>();
        while (true)
        {
            var after = messages.Count == 0 ? 0 : messages[^1].GetProperty("seq").GetInt64();
            var response = await Http.GetAsync($"/api/v1/conversations/{conversationId}/messages?after={after}&limit=200");
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable && DateTime.UtcNow < deadline)
            {
                Assert.True(response.Headers.RetryAfter is not null, "a 503 carries Retry-After");
                await Task.Delay(500);
                continue;
            }

            var page = await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
            messages.AddRange(page.GetProperty("messages").EnumerateArray());
            if (!page.GetProperty("hasMore").GetBoolean())
            {
                return messages;
            }
        }
    }
}
