using System.Diagnostics;
using System.Text.Json;

namespace Messenger.Tests.Integration;

/// <summary>
/// The load generator's quick mode against a real cluster, checked for correctness only (no
/// speed is asserted): every scenario runs, and nothing acknowledged is lost, duplicated or
/// leaves a gap. Keeps the benchmark tool from rotting.
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
        var folder = ProcessCluster.BinaryFolder(Path.Combine("bench", "Messenger.Bench"));
        var start = new ProcessStartInfo("dotnet", $"\"{Path.Combine(folder, "Messenger.Bench.dll")}\" --quick --url {_cluster.ClientApiUrl} --json \"{json}\"")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        using var bench = Process.Start(start)!;
        var output = bench.StandardOutput.ReadToEndAsync();
        var errors = bench.StandardError.ReadToEndAsync();
        await bench.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(6));

        Assert.True(bench.ExitCode == 0, $"bench exited {bench.ExitCode}:\n{await output}\n{await errors}");
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

        Assert.True(scenarios["idle"].GetProperty("extra").GetProperty("sessions").GetDouble() >= 500);
        Assert.True(scenarios["connect"].GetProperty("extra").GetProperty("tokenConnectsPerSec").GetDouble() > 0);
        Assert.True(scenarios["baseline"].GetProperty("extra").TryGetProperty("directToBaselineRatio", out _));
    }
}
