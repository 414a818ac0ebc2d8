using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Messenger.Bench.Report;

/// <summary>The summary table on the terminal and the JSON file.</summary>
public static class Reporter
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static void Print(IReadOnlyList<ScenarioResult> results)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Messenger benchmark[/]");
        foreach (var column in new[] { "scenario", "sends/s", "deliveries/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "lost", "dup", "gaps", "errors", "missed→recovered", "other" })
        {
            table.AddColumn(column);
        }

        foreach (var r in results)
        {
            var verdict = r.Passed ? "green" : "red";
            table.AddRow(
                $"[{verdict}]{Markup.Escape(r.Scenario)}[/]",
                F(r.SendsPerSec), F(r.DeliveriesPerSec),
                F(r.LatencyMs.P50, 1), F(r.LatencyMs.P99, 1), F(r.LatencyMs.P999, 1), F(r.LatencyMs.Max, 1),
                $"[{(r.Lost == 0 ? "green" : "red")}]{r.Lost}[/]",
                $"[{(r.Duplicates == 0 ? "green" : "red")}]{r.Duplicates}[/]",
                $"[{(r.Gaps == 0 ? "green" : "red")}]{r.Gaps}[/]",
                r.Errors.ToString(CultureInfo.InvariantCulture),
                $"{r.PushesMissed}→{r.PushesRecovered}",
                Markup.Escape(string.Join(", ", r.Extra.Where(e => !e.Key.Contains('.', StringComparison.Ordinal)).Select(e => $"{e.Key}={e.Value.ToString(CultureInfo.InvariantCulture)}"))));
        }

        AnsiConsole.Write(table);
        foreach (var r in results.Where(r => r.Kills is not null))
        {
            PrintKills(r);
        }

        foreach (var r in results.Where(r => r.Notes.Count > 0))
        {
            foreach (var note in r.Notes)
            {
                AnsiConsole.MarkupLine($"[grey]{Markup.Escape(r.Scenario)}: {Markup.Escape(note)}[/]");
            }
        }
    }

    private static void PrintKills(ScenarioResult r)
    {
        var e = r.Extra;
        AnsiConsole.MarkupLine(
            $"[bold]{Markup.Escape(r.Scenario)}[/]: {r.Acknowledged} of {r.Sent} sends acknowledged, " +
            $"[{(e.GetValueOrDefault("failedAfterRetries") == 0 ? "green" : "red")}]{e.GetValueOrDefault("failedAfterRetries")} failed after retries[/], " +
            $"longest stall: acks {F(e.GetValueOrDefault("ackStallSec"), 2)} s, pushes {F(e.GetValueOrDefault("pushStallSec"), 2)} s " +
            $"(connected users {F(e.GetValueOrDefault("pushStallConnectedSec"), 2)} s), {e.GetValueOrDefault("reconnects")} reconnects");
        var kills = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(r.Scenario)}: kills[/]");
        foreach (var column in new[] { "t s", "target", "signal", "exited s", "healthy again s", "ack stall s", "push stall s", "connected push stall s", "note" })
        {
            kills.AddColumn(column);
        }

        foreach (var k in r.Kills!)
        {
            kills.AddRow(
                F(k.AtSec, 1), Markup.Escape(k.Target), k.Signal == "KILL" ? "kill -9" : "SIGTERM", F(k.ExitSec, 2),
                k.Healthy ? F(k.RestartSec, 1) : $"[red]no ({F(k.RestartSec, 0)})[/]",
                F(k.AckStallSec, 2), F(k.PushStallSec, 2), F(k.PushStallConnectedSec, 2), Markup.Escape(k.Note ?? ""));
        }

        AnsiConsole.Write(kills);
    }

    public static async Task WriteJsonAsync(string path, IReadOnlyList<ScenarioResult> results, BenchSettings settings, MachineProbe? probe)
    {
        var document = new
        {
            generatedAt = DateTime.UtcNow,
            machine = new
            {
                processors = Environment.ProcessorCount,
                os = Environment.OSVersion.ToString(),
                runtime = Environment.Version.ToString(),
                writeback = HostWriteback.Read()?.ToString(),
                syscallNs = probe?.SyscallNanoseconds is { } ns ? Math.Round(ns, 1) : (double?)null,
                pbkdf2Ms = probe is null ? (double?)null : Math.Round(probe.Pbkdf2Milliseconds, 2),
            },
            target = settings.Url,
            quick = settings.Quick,
            findMax = settings.FindMax,
            scenarios = results,
        };
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(document, Json));
    }

    private static string F(double value, int decimals = 0) => value.ToString($"F{decimals}", CultureInfo.InvariantCulture);
}
