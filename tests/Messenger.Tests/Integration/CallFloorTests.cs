using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
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
        var folder = ProcessCluster.BinaryFolder(Path.Combine("bench", "Messenger.Bench.CallFloor"));
        var basePort = FourFreePorts();
        var start = new ProcessStartInfo(
            "dotnet",
            $"\"{Path.Combine(folder, "Messenger.Bench.CallFloor.dll")}\" --rates 200,400 --seconds 2 --warm-up 1 --base-port {basePort} --json \"{json}\"")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        using var floor = Process.Start(start)!;
        var output = floor.StandardOutput.ReadToEndAsync();
        var errors = floor.StandardError.ReadToEndAsync();
        await floor.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(floor.ExitCode == 0, $"call floor exited {floor.ExitCode}:\n{await output}\n{await errors}");
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
        var ports = $"\0--base-port\0{basePort}\0";
        Assert.DoesNotContain(Process.GetProcesses(), p => CommandLine(p) is var line && line.Contains(silo, StringComparison.Ordinal) && line.Contains(ports, StringComparison.Ordinal));
    }

    // The tool takes four ports in a row from --base-port.
    private static int FourFreePorts()
    {
        for (var attempt = 0; ; attempt++)
        {
            var first = PostgresServer.FreePort();
            try
            {
                foreach (var port in Enumerable.Range(first + 1, 3))
                {
                    using var listener = new TcpListener(IPAddress.Loopback, port);
                    listener.Start();
                }

                return first;
            }
            catch (SocketException) when (attempt < 20)
            {
                // one of the next three is taken: another start
            }
        }
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
