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

        // Reconnects are what a long-running ClientApi does all day: measure it warmed up, not
        // compiling (on a fresh cluster the JIT was 15-20 % of the ClientApi's samples and still
        // tiering up ~150 methods/s 13 s into the storm). The cold rate is reported beside it.
        var warmUp = context.Settings.Quick ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(10);
        var coldStarted = Stopwatch.GetTimestamp();
        var (coldConnects, _) = await StormAsync(users, api, warmUp, new LatencyRecorder());
        var coldSeconds = Stopwatch.GetElapsedTime(coldStarted).TotalSeconds;
        context.Log.Info($"connect: {coldConnects / coldSeconds:F0} token connects/s while warming up ({warmUp.TotalSeconds:F0} s, not counted)");
        var started = Stopwatch.GetTimestamp();
        var (connects, failures) = await StormAsync(users, api, duration, latency);
        var connectSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        context.Log.Info($"connect: {connects / connectSeconds:F0} token connects/s to ready, {failures} failed");

        long logins = 0, loginFailures = 0;
        var stop = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, 16), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (worker, _) =>
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
        result.Extra["coldConnectsPerSec"] = Math.Round(coldConnects / coldSeconds, 1);
        result.Extra["loginsPerSec"] = Math.Round(logins / loginSeconds, 1);
        result.Notes.Add("tokenConnectsPerSec and latencyMs: after a warm-up storm (coldConnectsPerSec) on a fresh ClientApi; latencyMs: socket open to ready; logins hash with PBKDF2-HMAC-SHA512 at the ClientApi's Messenger:Passwords:IterationCount (default 100,000)");
        return result;
    }

    /// <summary>Sessions opening a socket with a token, waiting for <c>ready</c> and closing, for a while.</summary>
    private static async Task<(long Connects, long Failures)> StormAsync(IReadOnlyList<BenchUser> users, ApiClient api, TimeSpan duration, LatencyRecorder latency)
    {
        const int Workers = 64;
        long connects = 0, failures = 0;
        var stop = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);

        // Workers, not Parallel.ForEachAsync's default of one per core: each spends most of its
        // time waiting on the network, and two of them measured the generator, not the server.
        await Parallel.ForEachAsync(Enumerable.Range(0, Workers), new ParallelOptions { MaxDegreeOfParallelism = Workers }, async (worker, _) =>
        {
            for (var n = worker; Stopwatch.GetTimestamp() < stop; n += Workers)
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
        return (connects, failures);
    }
}
