using System.Net.Http.Json;
using System.Text.Json;

namespace Messenger.Tests.Infrastructure;

/// <summary>A signed-in user of the in-process ClientApi.</summary>
public sealed record TestUser(string Username, string UserId, string Token, HttpClient Http, ApiFixture Api)
{
    public Task<TestSocket> ConnectAsync() => Api.ConnectAsync(Token);

    public async Task<string> DirectWithAsync(TestUser other)
    {
        var response = await Http.PostAsJsonAsync("/api/v1/conversations", new { kind = "direct", with = other.Username });
        return (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("conversationId").GetString()!;
    }

    public async Task<string> GroupWithAsync(string title, params TestUser[] members)
    {
        var response = await Http.PostAsJsonAsync("/api/v1/conversations", new { kind = "group", title, members = members.Select(m => m.Username) });
        return (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("conversationId").GetString()!;
    }

    public Task<HttpResponseMessage> SendAsync(string conversationId, string text, string? clientMessageId = null) =>
        Http.PutAsJsonAsync($"/api/v1/conversations/{conversationId}/messages/{clientMessageId ?? Guid.NewGuid().ToString()}", new { text });

    public async Task<long> SendOkAsync(string conversationId, string text, string? clientMessageId = null) =>
        (await (await SendAsync(conversationId, text, clientMessageId)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("seq").GetInt64();

    public async Task<JsonElement> GetJsonAsync(string path) =>
        await (await Http.GetAsync(path)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();

    /// <summary>PUT /contacts/{other}: asks, or accepts their request.</summary>
    public Task<HttpResponseMessage> AskAsync(TestUser other) => Http.PutAsync($"/api/v1/contacts/{other.Username}", null);

    /// <summary>Both ask each other, so they end as accepted contacts.</summary>
    public async Task BecomeContactsAsync(TestUser other)
    {
        (await AskAsync(other)).EnsureSuccessStatusCode();
        (await other.AskAsync(this)).EnsureSuccessStatusCode();
    }

    /// <summary>The caller's entry for another user in GET /contacts, or null.</summary>
    public async Task<JsonElement?> ContactEntryAsync(TestUser other) =>
        (await GetJsonAsync("/api/v1/contacts")).EnumerateArray().Where(c => c.GetProperty("userId").GetString() == other.UserId).Select(c => (JsonElement?)c).SingleOrDefault();
}
