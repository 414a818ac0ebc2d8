using System.Text.Json;
using Spectre.Console;

namespace Messenger.Bench.CallFloor;

/// <summary>The floor's terminal lines, summary table and JSON.</summary>
internal static class FloorReport
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static void PrintLine(FloorResult r) =>
        Console.WriteLine($"rate {r.TargetRate}/s: {r.CallsPerSec}/s answered, {r.Failed} failed, CPU per call {r.TotalCpuUsPerCall:F1} µs ({string.Join(", ", r.CpuUsPerCall.Select(c => $"{c.Key} {c.Value}"))})");

    public static void Print(IReadOnlyList<FloorResult> results)
    {
        var table = new Table().AddColumns("target calls/s", "answered/s", "failed", "CPU µs per call (all)");
        var names = results.SelectMany(r => r.CpuUsPerCall.Keys).Distinct().ToList();
        foreach (var name in names)
        {
            table.AddColumn(name);
        }

        foreach (var r in results)
        {
            table.AddRow([$"{r.TargetRate:N0}", $"{r.CallsPerSec:N0}", $"{r.Failed}", $"{r.TotalCpuUsPerCall:F1}", .. names.Select(n => $"{r.CpuUsPerCall.GetValueOrDefault(n):F1}")]);
        }

        AnsiConsole.Write(table);
    }

    public static async Task WriteJsonAsync(string path, IReadOnlyList<FloorResult> results, CancellationToken cancellationToken)
    {
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, new
        {
            scenario = "orleans-call-floor",
            machine = new { Environment.ProcessorCount, Environment.OSVersion.VersionString },
            results = results.Select(r => new { r.TargetRate, r.CallsPerSec, r.Failed, cpuUsPerCall = r.CpuUsPerCall, totalCpuUsPerCall = r.TotalCpuUsPerCall }),
        }, Json, cancellationToken);
    }
}
