using System.Diagnostics;
using Messenger.Bench.Client;
using Messenger.Bench.Load;
using Messenger.Bench.Report;

namespace Messenger.Bench.Scenarios;

/// <summary>
/// A reconnect storm — sessions opening a socket with an existing token and waiting for
/// <c>ready</c> — and, separately, password logins per second (bounded by the slow hash).
/// </summary>
public static class ConnectScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchContext context, ApiClient api)
    {
        context.Log.Scenario("connect");
        var users = await context.UsersAsync(context.Settings.Quick ? 20 : 200);
        var duration = context.Settings.Quick ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(15);
        var latency = new LatencyRecorder();
        long connects = 0, failures = 0;
        var stop = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, 64), async (worker, _) =>
        {
            for (var n = worker; Stopwatch.GetTimestamp() < stop; n += 64)
            {
                var begin = Stopwatch.GetTimestamp();
                try
                {
                    await using var session = await BenchSession.ConnectAsync(api.BaseAddress, users[n % users.Count], n, (_, _) => { });
                    latency.Record(begin, Stopwatch.GetTimestamp());
                    Interlocked.Increment(ref connects);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        });
        var connectSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        context.Log.Info($"connect: {connects / connectSeconds:F0} token connects/s to ready, {failures} failed");

        long logins = 0, loginFailures = 0;
        stop = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, 16), async (worker, _) =>
        {
            for (var n = worker; Stopwatch.GetTimestamp() < stop; n += 16)
            {
                try
                {
                    await api.LoginAsync(users[n % users.Count].Username, "bench-password");
                    Interlocked.Increment(ref logins);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref loginFailures);
                }
            }
        });
        var loginSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        context.Log.Info($"connect: {logins / loginSeconds:F1} password logins/s");

        var result = new ScenarioResult
        {
            Scenario = "connect",
            LatencyMs = latency.Summary(),
            Errors = failures + loginFailures,
            DurationSec = Math.Round(connectSeconds + loginSeconds, 1),
        };
        result.Extra["tokenConnectsPerSec"] = Math.Round(connects / connectSeconds, 1);
        result.Extra["loginsPerSec"] = Math.Round(logins / loginSeconds, 1);
        result.Notes.Add("latencyMs: socket open to ready; logins hash with PBKDF2-HMAC-SHA512 at the ClientApi's Messenger:Passwords:IterationCount (default 100,000)");
        return result;
    }
}
