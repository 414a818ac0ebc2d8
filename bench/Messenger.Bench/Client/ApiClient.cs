using System.Net;
using System.Text.Json;

namespace Messenger.Bench.Client;

/// <summary>The REST half of the protocol, as the scenarios need it.</summary>
public sealed class ApiClient(Uri baseAddress)
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = 256,
        PooledConnectionLifetime = TimeSpan.FromMinutes(10),
    })
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromSeconds(60),
    };

    public Uri BaseAddress => baseAddress;

    public async Task RegisterAsync(string username, string password)
    {
        var response = await _http.PostAsJsonAsync("/api/v1/auth/register", new { username, password });
        if (response.StatusCode != HttpStatusCode.Conflict)
        {
            response.EnsureSuccessStatusCode();
        }
    }

    public async Task<BenchUser> LoginAsync(string username, string password)
    {
        var response = await _http.PostAsJsonAsync("/api/v1/auth/login", new { username, password, device = "bench" });
        var body = await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        return new BenchUser(username, body.GetProperty("userId").GetString()!, body.GetProperty("accessToken").GetString()!);
    }

    public async Task<string> DirectAsync(BenchUser caller, BenchUser other) =>
        await CreateConversationAsync(caller, new { kind = "direct", with = other.Username });

    public async Task<string> GroupAsync(BenchUser owner, string title, IEnumerable<BenchUser> members) =>
        await CreateConversationAsync(owner, new { kind = "group", title, members = members.Select(m => m.Username).ToArray() });

    /// <summary>Messages with seq &gt; after, all pages: the catch-up a client does after a gap.</summary>
    public async Task<List<(long Seq, string ClientMessageId)>> HistoryAfterAsync(BenchUser user, string conversationId, long after)
    {
        var result = new List<(long, string)>();
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/conversations/{conversationId}/messages?after={after}&limit=200");
            request.Headers.Authorization = new("Bearer", user.Token);
            using var response = await _http.SendAsync(request);
            var page = await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
            foreach (var message in page.GetProperty("messages").EnumerateArray())
            {
                after = message.GetProperty("seq").GetInt64();
                result.Add((after, message.GetProperty("clientMessageId").GetString()!));
            }

            if (!page.GetProperty("hasMore").GetBoolean())
            {
                return result;
            }
        }
    }

    private async Task<string> CreateConversationAsync(BenchUser caller, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/conversations") { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new("Bearer", caller.Token);
        using var response = await _http.SendAsync(request);
        var conversation = await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        return conversation.GetProperty("conversationId").GetString()!;
    }
}
