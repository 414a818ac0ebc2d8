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

    /// <summary>
    /// The REST send. Returns the stored seq, or null with why not (the problem's <c>code</c>, or
    /// <c>timeout</c> / <c>connection</c> when no answer came) so the caller can decide to retry.
    /// </summary>
    public async Task<(long? Seq, string? Code)> SendAsync(BenchUser user, string conversationId, string clientMessageId, string text, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/conversations/{conversationId}/messages/{clientMessageId}") { Content = JsonContent.Create(new { text }) };
            request.Headers.Authorization = new("Bearer", user.Token);
            using var response = await _http.SendAsync(request, cancel.Token);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancel.Token);
            return response.IsSuccessStatusCode
                ? (body.GetProperty("seq").GetInt64(), null)
                : (null, body.TryGetProperty("code", out var code) ? code.GetString() : $"http_{(int)response.StatusCode}");
        }
        catch (OperationCanceledException)
        {
            return (null, "timeout");
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or IOException)
        {
            return (null, "connection");
        }
    }

    /// <summary>True when <c>GET /health/ready</c> answers 200 (the ClientApi reaches the cluster and the database).</summary>
    public async Task<bool> IsReadyAsync()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            using var response = await _http.GetAsync("/health/ready", cancel.Token);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The silos of <c>GET /api/v1/cluster</c>: name, membership status and start time.</summary>
    public async Task<List<(string? Name, string Status, DateTime StartedAt)>> SilosAsync(BenchUser user)
    {
        var cluster = await ClusterViewAsync(user) ?? throw new HttpRequestException("GET /api/v1/cluster did not succeed.");
        return cluster.GetProperty("silos").EnumerateArray()
            .Select(s => (s.TryGetProperty("name", out var n) ? n.GetString() : null, s.GetProperty("status").GetString()!, s.GetProperty("startedAt").GetDateTime().ToUniversalTime()))
            .ToList();
    }

    /// <summary>
    /// How many grains of a type each active silo holds, from <c>GET /api/v1/cluster</c>; empty
    /// where there is no cluster view (the raw relay, or an operator turned it off).
    /// </summary>
    public async Task<List<(string? Name, int Count)>> ActivationsAsync(BenchUser user, string grainType)
    {
        if (await ClusterViewAsync(user) is not { } cluster)
        {
            return [];
        }

        return cluster.GetProperty("silos").EnumerateArray()
            .Where(s => s.GetProperty("status").GetString() == "Active")
            .Select(s => (s.TryGetProperty("name", out var n) ? n.GetString() : null,
                s.TryGetProperty("activations", out var a) && a.ValueKind == JsonValueKind.Object && a.TryGetProperty(grainType, out var c) ? c.GetInt32() : 0))
            .ToList();
    }

    /// <summary><c>GET /api/v1/cluster</c>, or null when it did not succeed.</summary>
    private async Task<JsonElement?> ClusterViewAsync(BenchUser user)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/cluster");
        request.Headers.Authorization = new("Bearer", user.Token);
        using var response = await _http.SendAsync(request, cancel.Token);
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>(cancel.Token) : null;
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
