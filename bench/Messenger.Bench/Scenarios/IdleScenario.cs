using System.Diagnostics;
using System.Net;
using Messenger.Bench.Client;
using Messenger.Bench.Load;
using Messenger.Bench.Report;

namespace Messenger.Bench.Scenarios;

/// <summary>
/// Many connected, idle sessions: how fast they connect, and what each costs in memory across
/// the ClientApi and the silos (RSS growth ÷ sessions). Sessions are spread over source
/// addresses 127.0.0.2, .3, … to get past one address's ephemeral ports.
/// </summary>
public static class IdleScenario
{
    private const int SessionsPerSourceAddress = 20_000;
    private const int SessionsPerUser = 50;

    public static async Task<ScenarioResult> RunAsync(BenchContext context, ApiClient api)
    {
        context.Log.Scenario("idle");
        var count = context.Settings.Quick ? 500 : context.Settings.IdleSessions;
        var users = await context.UsersAsync(Math.Max(1, count / SessionsPerUser));

        // Open and close some sessions first: what the first ones cost once (compiled code,
        // pools, tables sized for the load) is not a cost per session, and spread over 9,000
        // sessions instead of 100,000 it would count eleven times over.
        var warmUp = Math.Min(1000, count / 10);
        long warmUpFailed = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, warmUp), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (n, _) =>
        {
            try
            {
                await using var session = await BenchSession.ConnectAsync(api.BaseAddress, users[n % users.Count], n, (_, _) => { });
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Only less warm-up: the measured phase below counts and reports failures.
                if (Interlocked.Increment(ref warmUpFailed) == 1)
                {
                    context.Log.Warn($"idle: a warm-up session failed to connect: {ex.GetBaseException().Message}");
                }
            }
        });
        await Task.Delay(TimeSpan.FromSeconds(2));
        var before = ProcessMemory.Read(context.Settings.PidDirectory);
        var sessions = new BenchSession?[count];
        long failed = 0;
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 128 }, async (n, _) =>
        {
            var source = IPAddress.Parse($"127.0.0.{2 + (n / SessionsPerSourceAddress)}");
            try
            {
                sessions[n] = await BenchSession.ConnectAsync(api.BaseAddress, users[n % users.Count], n, (_, _) => { }, source);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                if (Interlocked.Increment(ref failed) <= 3)
                {
                    context.Log.Warn($"idle: session {n} failed to connect: {ex.GetBaseException().Message}");
                }
            }

            if ((n + 1) % 5000 == 0)
            {
                context.Log.Info($"idle: {n + 1} sessions connected");
            }
        });
        var connectSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var connected = sessions.Count(s => s is not null);

        // Let the processes settle (GC, lease renewals) before reading memory.
        await Task.Delay(TimeSpan.FromSeconds(context.Settings.Quick ? 3 : 10));
        var after = ProcessMemory.Read(context.Settings.PidDirectory);
        var result = new ScenarioResult { Scenario = "idle", DurationSec = Math.Round(connectSeconds, 1), Errors = failed };
        result.Extra["sessions"] = connected;
        result.Extra["connectsPerSec"] = Math.Round(connected / connectSeconds, 1);
        if (warmUpFailed > 0)
        {
            result.Notes.Add($"{warmUpFailed} of {warmUp} warm-up sessions failed to connect");
        }

        if (before.Count > 0 && after.Count > 0 && connected > 0)
        {
            var growth = after.Sum(p => p.Value - before.GetValueOrDefault(p.Key));
            result.Extra["bytesPerSession"] = Math.Round((double)growth / connected, 0);
            foreach (var (name, rss) in after)
            {
                result.Extra[$"rssMb.{name}"] = Math.Round(rss / 1048576.0, 1);
                result.Extra[$"bytesPerSession.{name}"] = Math.Round((double)(rss - before.GetValueOrDefault(name)) / connected, 0);
            }
        }
        else
        {
            result.Notes.Add("memory not measured: pass --pid-dir (run.sh's $MESSENGER_DATA/run) on the same machine");
        }

        await Parallel.ForEachAsync(sessions.OfType<BenchSession>(), new ParallelOptions { MaxDegreeOfParallelism = 128 }, async (s, _) => await s.DisposeAsync());
        return result;
    }
}
