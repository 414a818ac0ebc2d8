using System.Diagnostics;
using Messenger.Bench.Client;
using Messenger.Bench.Load;

namespace Messenger.Bench.Chaos;

/// <summary>
/// Kills a random silo or ClientApi of a run.sh cluster every interval, with kill -9 or SIGTERM
/// at random, and has run.sh start it again. The restart goes through run.sh's hook (the file
/// <c>run/&lt;name&gt;.restart</c>) rather than being launched from here: run.sh is the one
/// place that knows how each process is started (settings, ports, working folder, log), and a
/// process it started is one it stops on Ctrl-C, so nothing outlives the run. One process is
/// down at a time and the next kill waits until it is healthy again, so 3 silos and 2
/// ClientApis never fall below 2 silos and 1 ClientApi.
/// </summary>
public sealed class ChaosDriver(string pidDirectory, int silos, IReadOnlyList<ApiClient> clientApis, BenchUser observer, TimeSpan interval, ProgressLog log, long loadStarted)
{
    private static readonly TimeSpan GracefulExitLimit = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan HealthyLimit = TimeSpan.FromSeconds(120);

    private readonly List<KillRecord> _kills = [];

    public IReadOnlyList<KillRecord> Kills => _kills;

    /// <summary>Kills and restarts until <paramref name="stop"/>; a cycle under way finishes first, so the cluster is whole when this returns.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var targets = Enumerable.Range(0, silos).Select(i => $"silo-{i}").Concat(Enumerable.Range(0, clientApis.Count).Select(i => $"clientapi-{i}")).ToArray();
        while (true)
        {
            try
            {
                await Task.Delay(interval, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            // Silos and ClientApis equally often, whatever the counts of each.
            var pickSilo = Random.Shared.Next(2) == 0;
            var target = pickSilo
                ? targets[Random.Shared.Next(silos)]
                : targets[silos + Random.Shared.Next(clientApis.Count)];
            var kill = await KillAndRestartAsync(target, Random.Shared.Next(2) == 0 ? "KILL" : "TERM");
            _kills.Add(kill);
            if (!kill.Healthy)
            {
                log.Warn($"{Now()} chaos: {target} did not come back healthy; no more kills in this run");
                return;
            }
        }
    }

    private async Task<KillRecord> KillAndRestartAsync(string target, string signal)
    {
        var at = Seconds(Stopwatch.GetTimestamp());
        var pid = ReadPid(target);
        if (pid is null || !IsMessengerProcess(pid.Value))
        {
            log.Warn($"{Now()} chaos: {target} has no live Messenger process in {pidDirectory}; skipped");
            return new KillRecord(at, target, signal, 0, 0, true, "not running; skipped");
        }

        log.Warn($"{Now()} chaos: {(signal == "KILL" ? "kill -9" : "SIGTERM")} {target} (pid {pid})");
        string? note = null;
        var killed = Stopwatch.GetTimestamp();
        await SignalAsync(pid.Value, signal);
        if (!await WaitAsync(() => Task.FromResult(HasExited(pid.Value)), signal == "KILL" ? TimeSpan.FromSeconds(10) : GracefulExitLimit))
        {
            note = $"still running {GracefulExitLimit.TotalSeconds:F0} s after SIGTERM; killed with -9";
            log.Warn($"{Now()} chaos: {target} {note}");
            await SignalAsync(pid.Value, "KILL");
            await WaitAsync(() => Task.FromResult(HasExited(pid.Value)), TimeSpan.FromSeconds(10));
        }

        var exitSec = Stopwatch.GetElapsedTime(killed).TotalSeconds;
        log.Warn($"{Now()} chaos: {target} exited after {exitSec:F1} s");

        // Down for a moment, as after a real crash, before run.sh starts it again.
        await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1000, 3000)));
        var requested = Stopwatch.GetTimestamp();
        var requestedUtc = DateTime.UtcNow;
        await File.WriteAllTextAsync(Path.Combine(pidDirectory, $"{target}.restart"), "");
        var healthy = await WaitAsync(() => Task.FromResult(ReadPid(target) is { } p && p != pid && !HasExited(p)), TimeSpan.FromSeconds(30))
            && await WaitAsync(() => IsHealthyAsync(target, requestedUtc), HealthyLimit);
        var restartSec = Stopwatch.GetElapsedTime(requested).TotalSeconds;
        log.Warn(healthy
            ? $"{Now()} chaos: {target} healthy again {restartSec:F1} s after the restart (pid {ReadPid(target)})"
            : $"{Now()} chaos: {target} NOT healthy {restartSec:F0} s after the restart");
        return new KillRecord(at, target, signal, Math.Round(exitSec, 2), Math.Round(restartSec, 2), healthy, note);
    }

    private async Task<bool> IsHealthyAsync(string target, DateTime restartedUtc)
    {
        if (target.StartsWith("clientapi-", StringComparison.Ordinal))
        {
            return await clientApis[int.Parse(target["clientapi-".Length..], System.Globalization.CultureInfo.InvariantCulture)].IsReadyAsync();
        }

        // A silo is back when the membership shows it Active with a start after the restart
        // (its previous incarnation stays in the table as Dead). Ask any ClientApi that answers.
        foreach (var api in clientApis)
        {
            try
            {
                var silosNow = await api.SilosAsync(observer);
                return silosNow.Any(s => s.Name == target && s.Status == "Active" && s.StartedAt >= restartedUtc.AddSeconds(-2));
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
            {
                // that one is down or busy; try the next
            }
        }

        return false;
    }

    private int? ReadPid(string name)
    {
        try
        {
            return int.TryParse(File.ReadAllText(Path.Combine(pidDirectory, $"{name}.pid")).Trim(), out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    // Never signal anything but a Messenger process: a stale pid file could name a reused pid.
    private static bool IsMessengerProcess(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains("Messenger.", StringComparison.Ordinal) && !HasExited(pid);
        }
        catch (IOException)
        {
            return false;
        }
    }

    // Gone, or a zombie that run.sh has not reaped yet (it does within a second).
    private static bool HasExited(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static async Task SignalAsync(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-s", signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { RedirectStandardError = true })!;
        await kill.WaitForExitAsync();
    }

    private static async Task<bool> WaitAsync(Func<Task<bool>> condition, TimeSpan limit)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }

    private double Seconds(long timestamp) => Math.Round(Stopwatch.GetElapsedTime(loadStarted, timestamp).TotalSeconds, 2);

    private string Now() => $"[{DateTime.Now:HH:mm:ss.fff} t={Seconds(Stopwatch.GetTimestamp()),6:F1}s]";
}
