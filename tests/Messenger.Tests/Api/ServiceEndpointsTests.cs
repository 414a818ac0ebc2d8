using System.Net;
using System.Text.Json;

namespace Messenger.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class ServiceEndpointsTests(ApiFixture api)
{
    [Fact]
    public async Task Health_LiveAndReady_AnswerWithoutAuthentication()
    {
        var http = api.Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task Cluster_ListsTheTwoActiveSilosAndThisClientApi()
    {
        var user = await api.NewUserAsync();
        await using var socket = await user.ConnectAsync();
        await socket.NextAsync("ready");

        var cluster = await user.GetJsonAsync("/api/v1/cluster");

        var active = cluster.GetProperty("silos").EnumerateArray().Where(s => s.GetProperty("status").GetString() == "Active").ToList();
        Assert.Equal(2, active.Count);
        Assert.All(active, s => Assert.True(s.TryGetProperty("startedAt", out _) && s.TryGetProperty("address", out _)));
        Assert.StartsWith("test-api-", cluster.GetProperty("clientApi").GetProperty("instanceId").GetString());
        Assert.True(cluster.GetProperty("clientApi").GetProperty("sessions").GetInt32() >= 1);

        // The user's grain is active (the socket is open), so some silo counts it.
        Assert.True(active.Any(s => s.TryGetProperty("activations", out var a) && a.ValueKind == JsonValueKind.Object && a.TryGetProperty("UserGrain", out var n) && n.GetInt32() >= 1), cluster.ToString());
    }

    [Fact]
    public async Task OpenApi_DescribesTheProtocolEndpoints()
    {
        var document = JsonDocument.Parse(await api.Anonymous().GetStringAsync("/openapi/v1.json")).RootElement;
        var paths = document.GetProperty("paths");
        foreach (var path in new[]
        {
            "/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/me", "/api/v1/users/{username}",
            "/api/v1/conversations", "/api/v1/conversations/{conversationId}", "/api/v1/conversations/{conversationId}/members",
            "/api/v1/conversations/{conversationId}/messages/{clientMessageId}", "/api/v1/conversations/{conversationId}/messages",
            "/api/v1/conversations/{conversationId}/read", "/api/v1/cluster",
            "/api/v1/conversations/{conversationId}/messages/{seq}", "/api/v1/conversations/{conversationId}/typing",
            "/api/v1/contacts", "/api/v1/contacts/{username}", "/api/v1/blocks", "/api/v1/blocks/{username}", "/api/v1/presence",
        })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"OpenAPI lacks {path}");
        }

        var edit = paths.GetProperty("/api/v1/conversations/{conversationId}/messages/{seq}").GetProperty("patch");
        Assert.True(edit.GetProperty("responses").TryGetProperty("409", out _), "PATCH messages/{seq} documents 409");
        Assert.True(paths.GetProperty("/api/v1/contacts/{username}").GetProperty("put").GetProperty("responses").TryGetProperty("403", out _));

        File.WriteAllText(Path.Combine(Path.GetTempPath(), "messenger-openapi.json"), document.ToString());
    }

    [Fact]
    public async Task UnknownRoute_IsAProblemWithACode()
    {
        var user = await api.NewUserAsync();
        var response = await user.Http.GetAsync("/api/v1/nothing-here");
        await AccountsApiTests.AssertProblemAsync(response, HttpStatusCode.NotFound, "not_found");
    }
}
