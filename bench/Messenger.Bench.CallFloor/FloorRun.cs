using System.Collections.Concurrent;
using System.Diagnostics;
using Messenger.Bench.CallFloor.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messenger.Bench.CallFloor;

/// <summary>Starts the two silos, calls grains open loop at each rate, reads CPU per process.</summary>
internal static class FloorRun
{
    // As many grains as direct's conversations, so calls spread over both silos the same way.
    private const int Grains = 100;
    // The length of the load generator's message texts (BenchSettings.TextLength).
    private static readonly string Text = new('x', 64);

    public static async Task<IReadOnlyList<FloorResult>> RunAsync(FloorPorts ports, IReadOnlyList<int> rates, TimeSpan warmUp, TimeSpan measured, CancellationToken cancellationToken)
    {
        var logs = Enumerable.Range(0, FloorPorts.Silos).Select(_ => new ConcurrentQueue<string>()).ToList();
        var silos = Enumerable.Range(0, FloorPorts.Silos).Select(i => StartSilo(ports, i, logs[i])).ToList();
        try
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.UseOrleansClient(client => client.UseLocalhostClustering(Enumerable.Range(0, FloorPorts.Silos).Select(ports.Gateway).ToArray()));
            using var host = builder.Build();
            await ConnectAsync(host, silos, logs, cancellationToken);

            var factory = host.Services.GetRequiredService<IGrainFactory>();
            var grains = Enumerable.Range(0, Grains).Select(i => factory.GetGrain<IEchoGrain>($"floor-{i}")).ToArray();
            await Task.WhenAll(grains.Select(g => g.Echo(Text)));

            var processes = silos.Select((p, i) => (Name: $"silo-{i}", Process: p)).Append((Name: "client", Process: Process.GetCurrentProcess())).ToList();
            var results = new List<FloorResult>();
            foreach (var rate in rates)
            {
                var load = new OpenLoopCalls(grains, Text);
                await load.DriveAsync(rate, warmUp, cancellationToken);
                var before = processes.Select(p => Cpu(p.Process)).ToArray();
                var (answered, failed) = await load.DriveAsync(rate, measured, cancellationToken);
                var after = processes.Select(p => Cpu(p.Process)).ToArray();
                var perCall = processes.Select((p, i) => (p.Name, Us: (after[i] - before[i]).TotalMicroseconds / Math.Max(1, answered)))
                    .ToDictionary(x => x.Name, x => Math.Round(x.Us, 1));
                var result = new FloorResult(rate, Math.Round(answered / measured.TotalSeconds), failed, perCall);
                FloorReport.PrintLine(result);
                results.Add(result);
            }

            await host.StopAsync(cancellationToken);
            return results;
        }
        finally
        {
            foreach (var silo in silos)
            {
                silo.Kill(entireProcessTree: true);
                await silo.WaitForExitAsync(CancellationToken.None);
                silo.Dispose();
            }
        }
    }

    private static Process StartSilo(FloorPorts ports, int index, ConcurrentQueue<string> log)
    {
        // Run as `dotnet Messenger.Bench.CallFloor.dll` or through the app host: start the silo the same way.
        var self = typeof(FloorRun).Assembly.Location;
        var host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(self);
        }

        foreach (var arg in new[] { "--silo", $"{index}", "--ports", $"{ports}" })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        // Kept, not printed: the silos' start-up warnings (each connecting before the other listens)
        // are noise unless one of them fails.
        DataReceivedEventHandler keep = (_, e) =>
        {
            if (e.Data is { } line)
            {
                log.Enqueue(line);
                while (log.Count > 40 && log.TryDequeue(out string? _))
                {
                }
            }
        };
        process.OutputDataReceived += keep;
        process.ErrorDataReceived += keep;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task ConnectAsync(IHost host, IReadOnlyList<Process> silos, IReadOnlyList<ConcurrentQueue<string>> logs, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (silos.Select((s, i) => (s, i)).FirstOrDefault(x => x.s.HasExited) is ({ } dead, var index))
            {
                throw new InvalidOperationException($"silo-{index} exited with code {dead.ExitCode} before the client connected:\n{string.Join('\n', logs[index])}");
            }

            try
            {
                await host.StartAsync(cancellationToken);
                return;
            }
            catch (Exception) when (attempt < 30)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    private static TimeSpan Cpu(Process process)
    {
        process.Refresh();
        return process.TotalProcessorTime;
    }
}
