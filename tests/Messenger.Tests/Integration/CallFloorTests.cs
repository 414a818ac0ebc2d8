using System.Diagnostics;
using System.Text.Json;

namespace Messenger.Tests.Integration;

/// <summary>
/// The Orleans call-floor tool, run small: it starts its own two silo processes, every call is
/// answered, and every process has a CPU figure per call. Correctness only, no speed asserted;
/// keeps the tool from rotting.
/// </summary>
public sealed class CallFloorTests
{
    [Fact]
    public async Task CallFloor_AnswersEveryCall_AndReportsEachProcessesCpu()
    {
        var json = Path.Combine(Path.GetTempPath(), $"floor-{Guid.NewGuid():N}.json");
        var ports = string.Join(',', Enumerable.Range(0, 4).Select(_ => PostgresServer.FreePort()));
        var (exitCode, output) = await BenchTool.RunAsync(
            "Messenger.Bench.CallFloor", $"--rates 200,400 --seconds 2 --warm-up 1 --ports {ports} --json \"{json}\"", TimeSpan.FromMinutes(2));

        Assert.True(exitCode == 0, $"call floor exited {exitCode}:\n{output}");
        var results = JsonDocument.Parse(await File.ReadAllTextAsync(json)).RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal([200, 400], results.Select(r => r.GetProperty("targetRate").GetInt32()));
        foreach (var r in results)
        {
            var rate = r.GetProperty("targetRate").GetInt32();
            Assert.Equal(0, r.GetProperty("failed").GetInt64());
            Assert.Equal(rate, r.GetProperty("callsPerSec").GetDouble(), rate * 0.05);
            var cpu = r.GetProperty("cpuUsPerCall");
            foreach (var process in new[] { "silo-0", "silo-1", "client" })
            {
                Assert.True(cpu.GetProperty(process).GetDouble() > 0, $"no CPU per call for {process} at {rate}/s");
            }
        }

        // The silos are the tool's own children and must not outlive it.
        var silo = $"Messenger.Bench.CallFloor.dll\0--silo\0";
        var theirs = $"\0--ports\0{ports}\0";
        Assert.DoesNotContain(Process.GetProcesses(), p => CommandLine(p) is var line && line.Contains(silo, StringComparison.Ordinal) && line.Contains(theirs, StringComparison.Ordinal));
    }

    private static string CommandLine(Process process)
    {
        try
        {
            return File.ReadAllText($"/proc/{process.Id}/cmdline");
        }
        catch (IOException)
        {
            return "";
        }
    }
}
