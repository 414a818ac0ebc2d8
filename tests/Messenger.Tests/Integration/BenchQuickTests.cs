using System.Text.Json;

namespace Messenger.Tests.Integration;

/// <summary>
/// The load generator's quick mode against a real cluster, checked for correctness only (no
/// speed is asserted): every scenario runs, and nothing acknowledged is lost, duplicated or
/// leaves a gap, and the CPU figures name every process. Keeps the benchmark tool from rotting.
/// </summary>
public sealed class BenchQuickTests : IAsyncLifetime
{
    private ProcessCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ProcessCluster.StartAsync(silos: 2);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task QuickMode_RunsEveryScenario_AndLosesOrDuplicatesNothing()
    {
        var json = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.json");

        // Pid files as run.sh writes them, so the generator reads each process's CPU.
        var pids = Directory.CreateTempSubdirectory("bench-pids-").FullName;
        var processes = new Dictionary<string, int>(_cluster.ProcessIds);
        if ((await PostgresServer.Shared).PostmasterPid is { } postmaster)
        {
            processes["postgres"] = postmaster;
        }

        foreach (var (name, pid) in processes)
        {
            await File.WriteAllTextAsync(Path.Combine(pids, $"{name}.pid"), pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var (exitCode, output) = await BenchTool.RunAsync(
            "Messenger.Bench", $"--quick --url {_cluster.ClientApiUrl} --json \"{json}\" --pid-dir \"{pids}\"", TimeSpan.FromMinutes(6));
        Directory.Delete(pids, recursive: true);

        Assert.True(exitCode == 0, $"bench exited {exitCode}:\n{output}");
        var scenarios = JsonDocument.Parse(await File.ReadAllTextAsync(json)).RootElement.GetProperty("scenarios").EnumerateArray()
            .ToDictionary(s => s.GetProperty("scenario").GetString()!);
        Assert.Equal(
            new[] { "baseline", "connect", "direct", "group", "idle", "overload-direct", "room" },
            scenarios.Keys.Order().ToArray());
        foreach (var name in new[] { "direct", "group", "room", "overload-direct", "baseline" })
        {
            var s = scenarios[name];
            Assert.True(s.GetProperty("acknowledged").GetInt64() > 0, $"{name} acknowledged nothing");
            Assert.True(s.GetProperty("deliveriesPerSec").GetDouble() > 0, $"{name} delivered nothing");
            Assert.Equal(0, s.GetProperty("lost").GetInt64());
            Assert.Equal(0, s.GetProperty("duplicates").GetInt64());
            Assert.Equal(0, s.GetProperty("gaps").GetInt64());
            foreach (var percentile in new[] { "p50", "p90", "p99", "p999", "max" })
            {
                Assert.True(s.GetProperty("latencyMs").GetProperty(percentile).GetDouble() > 0, $"{name} has no {percentile}");
            }
        }

        // Every process's CPU while direct was measured, and their sum per acknowledged send.
        var direct = scenarios["direct"].GetProperty("extra");
        foreach (var name in processes.Keys.Append("generator"))
        {
            Assert.True(direct.GetProperty($"cpu.{name}").GetDouble() > 0, $"no CPU figure for {name}");
            Assert.True(direct.GetProperty($"cpuUsPerSend.{name}").GetDouble() > 0, $"no CPU per send for {name}");
        }

        var sum = processes.Keys.Append("generator").Sum(name => direct.GetProperty($"cpu.{name}").GetDouble());
        Assert.Equal(sum, direct.GetProperty("cpuCores").GetDouble(), 0.02);

        // How many threads of each waited for a core; with every process on this machine's cores
        // under load, some did.
        var waiting = processes.Keys.Append("generator").Sum(name => direct.GetProperty($"threadsWaiting.{name}").GetDouble());
        Assert.True(direct.GetProperty("threadsWaiting").GetDouble() > 0, "no thread ever waited for a core");
        Assert.Equal(waiting, direct.GetProperty("threadsWaiting").GetDouble(), 0.04); // each figure rounded to 0.01

        Assert.True(scenarios["idle"].GetProperty("extra").GetProperty("sessions").GetDouble() >= 500);
        Assert.True(scenarios["connect"].GetProperty("extra").GetProperty("tokenConnectsPerSec").GetDouble() > 0);
        Assert.True(scenarios["baseline"].GetProperty("extra").TryGetProperty("directToBaselineRatio", out _));
    }
}
