using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace Messenger.Tests.Integration;

/// <summary>
/// PostgreSQL stopped and started again under a running cluster of real processes: sends are
/// refused quickly with 503 while it is down (nothing acknowledged without being stored), and
/// everything recovers by itself when it returns.
/// </summary>
public sealed class DatabaseOutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task WhileTheDatabaseIsDown_SendsAnswer503Quickly_AndTheClusterRecoversByItself()
    {
        await using var database = await PostgresServer.StartPrivateAsync();
        await using var cluster = await ProcessCluster.StartAsync(silos: 2, connectionString: await database.CreateDatabaseAsync());
        var alice = await RealUser.CreateAsync(cluster.ClientApiUrl);
        var bob = await RealUser.CreateAsync(cluster.ClientApiUrl);
        var conversation = await alice.DirectWithAsync(bob);
        var acknowledged = new Dictionary<string, long> { ["before"] = await alice.SendAsync(conversation, "before", "before") };

        await database.StopAsync();
        var slowest = TimeSpan.Zero;
        for (var n = 0; n < 5; n++)
        {
            var started = Stopwatch.StartNew();
            var response = await alice.Http.PutAsJsonAsync($"/api/v1/conversations/{conversation}/messages/down-{n}", new { text = $"down {n}" });
            slowest = started.Elapsed > slowest ? started.Elapsed : slowest;
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.NotNull(response.Headers.RetryAfter);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("unavailable", problem.GetProperty("code").GetString());
        }

        Assert.False((await alice.Http.GetAsync("/health/ready")).IsSuccessStatusCode, "not ready while the database is down");
        output.WriteLine($"slowest 503 while the database was down: {slowest.TotalMilliseconds:F0} ms");

        await database.RestartAsync();
        var back = Stopwatch.StartNew();

        // The client retries what was refused, with the same ids, until the cluster stores again.
        for (var n = 0; n < 5; n++)
        {
            acknowledged[$"down-{n}"] = await SendUntilStoredAsync(alice, conversation, $"down {n}", $"down-{n}");
        }

        output.WriteLine($"sends stored again {back.Elapsed.TotalSeconds:F1} s after the database came back");
        acknowledged["after"] = await alice.SendAsync(conversation, "after", "after");
        await cluster.WaitUntilAsync(async http => (await http.GetAsync(new Uri(cluster.ClientApiUrl, "/health/ready"))).IsSuccessStatusCode, "ready again");

        var stored = await bob.HistoryAsync(conversation);
        Assert.Equal(Enumerable.Range(1, acknowledged.Count).Select(s => (long)s), stored.Select(m => m.GetProperty("seq").GetInt64()));
        foreach (var message in stored)
        {
            Assert.Equal(acknowledged[message.GetProperty("clientMessageId").GetString()!], message.GetProperty("seq").GetInt64());
        }
    }

    [Fact]
    public async Task DatabaseStoppedUnderConcurrentSendsToOneConversation_LosesNoAcknowledgedMessageAndLeavesNoGap()
    {
        await using var database = await PostgresServer.StartPrivateAsync();
        await using var cluster = await ProcessCluster.StartAsync(silos: 2, connectionString: await database.CreateDatabaseAsync());
        var alice = await RealUser.CreateAsync(cluster.ClientApiUrl);
        var bob = await RealUser.CreateAsync(cluster.ClientApiUrl);
        var created = await alice.Http.PostAsJsonAsync("/api/v1/conversations", new { kind = "group", title = "Busy", members = new[] { bob.Username } });
        var conversation = (await created.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("conversationId").GetString()!;

        // Eight clients keep sends in flight at once, so the conversation always has sends queued
        // behind the one committing; each retries a refused send with the same id, as apps do.
        var acknowledged = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        var refused = 0;
        var outageOver = new TaskCompletionSource();
        var senders = Enumerable.Range(0, 8).Select(async worker =>
        {
            var user = worker % 2 == 0 ? alice : bob;
            for (var n = 0; n < 40; n++)
            {
                var clientMessageId = $"w{worker}-{n}";
                while (true)
                {
                    var response = await user.Http.PutAsJsonAsync($"/api/v1/conversations/{conversation}/messages/{clientMessageId}", new { text = clientMessageId });
                    if (response.IsSuccessStatusCode)
                    {
                        acknowledged[clientMessageId] = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("seq").GetInt64();
                        break;
                    }

                    Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                    Interlocked.Increment(ref refused);
                    await Task.WhenAny(outageOver.Task, Task.Delay(200));
                }
            }
        }).ToList();

        await Eventually.TrueAsync(() => acknowledged.Count >= 40, "sends acknowledged before the outage", TimeSpan.FromSeconds(30));
        await database.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        await database.RestartAsync();
        outageOver.SetResult();
        await Task.WhenAll(senders).WaitAsync(TimeSpan.FromSeconds(120));

        output.WriteLine($"{acknowledged.Count} acknowledged, {refused} refused while the database was down or coming back");
        Assert.True(refused > 0, "the outage refused some sends");
        var stored = await bob.HistoryAsync(conversation);
        Assert.Equal(Enumerable.Range(1, 320).Select(s => (long)s), stored.Select(m => m.GetProperty("seq").GetInt64()));
        Assert.Equal(
            acknowledged.Select(a => $"{a.Key}={a.Value}").Order(StringComparer.Ordinal),
            stored.Select(m => $"{m.GetProperty("clientMessageId").GetString()}={m.GetProperty("seq").GetInt64()}").Order(StringComparer.Ordinal));
    }

    private static async Task<long> SendUntilStoredAsync(RealUser user, string conversationId, string text, string clientMessageId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var response = await user.Http.PutAsJsonAsync($"/api/v1/conversations/{conversationId}/messages/{clientMessageId}", new { text });
            if (response.IsSuccessStatusCode)
            {
                return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("seq").GetInt64();
            }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.True(DateTime.UtcNow < deadline, $"{clientMessageId} was still refused 90 s after the database came back");
            await Task.Delay(500);
        }
    }
}
