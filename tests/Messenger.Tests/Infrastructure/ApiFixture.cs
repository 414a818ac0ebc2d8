using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Messenger.Tests.Infrastructure;

/// <summary>
/// The ClientApi in-process (WebApplicationFactory) in front of two real silos that formed a
/// cluster through the PostgreSQL membership table of a fresh database.
/// </summary>
public sealed class ApiFixture : IAsyncLifetime
{
    private InProcessSilos _silos = null!;

    public WebApplicationFactory<Program> Factory { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        ConnectionString = await (await PostgresServer.Shared).CreateDatabaseAsync();
        var clusterId = $"api-test-{Guid.NewGuid():N}";
        _silos = new InProcessSilos(ConnectionString, clusterId);
        await _silos.StartAsync(2);
        Factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Development");
            web.UseSetting("Messenger:Postgres", ConnectionString);
            web.UseSetting("Messenger:ClusterId", clusterId);
            web.UseSetting("Messenger:ClientApi:InstanceId", "test-api");

            // Fewer PBKDF2 iterations than production only to keep hundreds of test logins quick.
            web.UseSetting("Messenger:Passwords:IterationCount", "1000");
            web.UseSetting("Logging:LogLevel:Default", "Warning");
        });
        _ = Factory.Server; // start now, not in the first test
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        await _silos.DisposeAsync();
    }

    public HttpClient Anonymous() => Factory.CreateClient();

    /// <summary>Registers a fresh user and returns a client signed in as them.</summary>
    public async Task<TestUser> NewUserAsync(string prefix = "u")
    {
        var username = $"{prefix}{Guid.NewGuid().ToString("N")[..10]}";
        var http = Factory.CreateClient();
        (await http.PostAsJsonAsync("/api/v1/auth/register", new { username, password = "correct horse" })).EnsureSuccessStatusCode();
        var login = await (await http.PostAsJsonAsync("/api/v1/auth/login", new { username, password = "correct horse" }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<LoginAnswer>();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login!.AccessToken);
        return new TestUser(username, login.UserId, login.AccessToken, http, this);
    }

    public async Task<TestSocket> ConnectAsync(string token)
    {
        var client = Factory.Server.CreateWebSocketClient();
        var socket = await client.ConnectAsync(new Uri(Factory.Server.BaseAddress, $"/api/v1/ws?access_token={token}"), CancellationToken.None);
        return new TestSocket(socket);
    }

    private sealed record LoginAnswer(string AccessToken, string UserId);
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "api";
}
