using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Messenger.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class AccountsApiTests(ApiFixture api)
{
    [Fact]
    public async Task Register_ReturnsTheAccount_AndTheSameNameInAnyCaseIsTaken()
    {
        var http = api.Anonymous();
        var name = $"Alice{Guid.NewGuid().ToString("N")[..8]}";

        var created = await http.PostAsJsonAsync("/api/v1/auth/register", new { username = name, password = "password1", displayName = "Alice A." });
        var again = await http.PostAsJsonAsync("/api/v1/auth/register", new { username = name.ToUpperInvariant(), password = "password1" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(name, body.GetProperty("username").GetString());
        Assert.Equal("Alice A.", body.GetProperty("displayName").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("userId").GetString()));
        await AssertProblemAsync(again, HttpStatusCode.Conflict, "username_taken");
    }

    [Theory]
    [InlineData("ab", "password1", "username")]
    [InlineData("has space", "password1", "username")]
    [InlineData("ünïcode", "password1", "username")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456", "password1", "username")]
    [InlineData("valid_name", "short", "password")]
    public async Task Register_WithInvalidFields_IsValidationFailedNamingTheField(string username, string password, string field)
    {
        var response = await api.Anonymous().PostAsJsonAsync("/api/v1/auth/register", new { username, password });
        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task Register_WithTooLongPassword_IsValidationFailed()
    {
        var response = await api.Anonymous().PostAsJsonAsync("/api/v1/auth/register", new { username = "longpass", password = new string('p', 129) });
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[]")]
    [InlineData("")]
    [InlineData("{\"username\": 5, \"password\": true}")]
    public async Task Register_WithMalformedBody_Is400NotA500(string body)
    {
        var response = await api.Anonymous().PostAsync("/api/v1/auth/register", new StringContent(body, Encoding.UTF8, "application/json"));
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Login_IssuesAToken_AndRefusesWrongPasswordAndUnknownUserAlike()
    {
        var user = await api.NewUserAsync();
        var http = api.Anonymous();

        var ok = await http.PostAsJsonAsync("/api/v1/auth/login", new { username = user.Username.ToUpperInvariant(), password = "correct horse", device = "phone" });
        var wrong = await http.PostAsJsonAsync("/api/v1/auth/login", new { username = user.Username, password = "wrong horse" });
        var unknown = await http.PostAsJsonAsync("/api/v1/auth/login", new { username = "nobody-" + Guid.NewGuid().ToString("N")[..8], password = "wrong horse" });

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var body = await ok.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(user.UserId, body.GetProperty("userId").GetString());
        Assert.Equal(user.Username, body.GetProperty("username").GetString());
        Assert.StartsWith("dev_", body.GetProperty("deviceId").GetString());
        Assert.NotEqual(user.Token, body.GetProperty("accessToken").GetString());
        var wrongProblem = await AssertProblemAsync(wrong, HttpStatusCode.Unauthorized, "invalid_credentials");
        var unknownProblem = await AssertProblemAsync(unknown, HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.Equal(wrongProblem.GetProperty("detail").GetString(), unknownProblem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Me_ShowsTheProfileAndPresence()
    {
        var user = await api.NewUserAsync();
        var me = await user.GetJsonAsync("/api/v1/me");
        Assert.Equal(user.UserId, me.GetProperty("userId").GetString());
        Assert.Equal(user.Username, me.GetProperty("displayName").GetString());
        Assert.Equal("offline", me.GetProperty("presence").GetProperty("status").GetString());

        await using var socket = await user.ConnectAsync();
        await socket.NextAsync("ready");
        me = await user.GetJsonAsync("/api/v1/me");
        Assert.Equal("online", me.GetProperty("presence").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Users_FindsByNameInAnyCase_WithoutPresence_And404ForUnknown()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();

        var found = await alice.GetJsonAsync($"/api/v1/users/{bob.Username.ToUpperInvariant()}");
        Assert.Equal(bob.UserId, found.GetProperty("userId").GetString());
        Assert.False(found.TryGetProperty("presence", out _));
        await AssertProblemAsync(await alice.Http.GetAsync("/api/v1/users/nobody-here-at-all"), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await alice.Http.GetAsync("/api/v1/users/bad%20name!"), HttpStatusCode.NotFound, "not_found");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-token")]
    [InlineData("Basic abc")]
    public async Task ProtectedEndpoints_WithoutAValidToken_Are401(string? authorization)
    {
        var http = api.Anonymous();
        if (authorization is not null)
        {
            http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization.StartsWith("Basic", StringComparison.Ordinal) ? authorization : $"Bearer {authorization}");
        }

        await AssertProblemAsync(await http.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "unauthorized");
        await AssertProblemAsync(await http.GetAsync("/api/v1/conversations"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Logout_RevokesTheTokenAndClosesThatDevicesSocketsWith4001_OnlyThatDevice()
    {
        var user = await api.NewUserAsync();
        var other = api.Anonymous();
        var secondLogin = await (await other.PostAsJsonAsync("/api/v1/auth/login", new { username = user.Username, password = "correct horse" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var secondToken = secondLogin.GetProperty("accessToken").GetString()!;
        await using var socket = await user.ConnectAsync();
        await using var otherDevice = await api.ConnectAsync(secondToken);
        await socket.NextAsync("ready");
        await otherDevice.NextAsync("ready");

        var logout = await user.Http.PostAsync("/api/v1/auth/logout", null);

        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal((System.Net.WebSockets.WebSocketCloseStatus)4001, await socket.ClosedAsync());
        await AssertProblemAsync(await user.Http.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "unauthorized");
        other.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secondToken);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/api/v1/me")).StatusCode);
        await otherDevice.SendJsonAsync(new { type = "ping", @ref = 1 });
        await otherDevice.NextAsync("pong");
    }

    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.True(problem.TryGetProperty("title", out _));
        return problem;
    }
}
