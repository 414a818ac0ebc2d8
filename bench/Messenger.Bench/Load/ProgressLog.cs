using Spectre.Console;

namespace Messenger.Bench.Load;

/// <summary>Live progress on the terminal: one line per second while load runs.</summary>
public sealed class ProgressLog
{
    public void Info(string text) => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(text)}[/]");

    public void Scenario(string name) => AnsiConsole.Write(new Rule($"[bold]{Markup.Escape(name)}[/]") { Justification = Justify.Left });

    public void Tick(string phase, double second, double target, double acked, double deliveries, double p99, long errors)
    {
        var p99Text = double.IsNaN(p99) ? "-" : $"{p99:F1}";
        var color = errors > 0 || p99 > 100 ? "red" : "green";
        AnsiConsole.MarkupLine(
            $"  [{color}]{Markup.Escape(phase),-10} t={second,5:F0}s target={target,8:F0}/s acked={acked,8:F0}/s deliveries={deliveries,9:F0}/s p99={p99Text,7} ms errors={errors}[/]");
    }

    public void Warn(string text) => AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(text)}[/]");
}
