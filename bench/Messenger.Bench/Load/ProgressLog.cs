using Spectre.Console;

namespace Messenger.Bench.Load;

/// <summary>Live progress on the terminal: one line per second while load runs.</summary>
public sealed class ProgressLog
{
    public void Info(string text) => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(text)}[/]");

    public void Scenario(string name) => AnsiConsole.Write(new Rule($"[bold]{Markup.Escape(name)}[/]") { Justification = Justify.Left });

    /// <summary>One second of load; <paramref name="lagMs"/>: how late the generator's own sends went out at worst in that second.</summary>
    public void Tick(string phase, double second, double target, double acked, double deliveries, double p99, long errors, double lagMs)
    {
        var p99Text = double.IsNaN(p99) ? "-" : $"{p99:F1}";
        var color = errors > 0 || p99 > 100 ? "red" : "green";
        AnsiConsole.MarkupLine(
            $"  [{color}]{Markup.Escape(phase),-10} t={second,5:F0}s target={target,8:F0}/s acked={acked,8:F0}/s deliveries={deliveries,9:F0}/s p99={p99Text,7} ms errors={errors} lag={lagMs,5:F0} ms[/]");
    }

    public void ChaosTick(string phase, double second, double acked, double pushes, long outstanding, long retries, long failed, int connected, int users, int kills)
    {
        var color = failed > 0 ? "red" : retries > 0 || connected < users ? "yellow" : "green";
        AnsiConsole.MarkupLine(
            $"  [{color}]{Markup.Escape(phase),-8} t={second,5:F0}s acked={acked,6:F0}/s pushes={pushes,7:F0}/s waiting={outstanding,5} retries={retries,5} failed={failed} connected={connected}/{users} kills={kills}[/]");
    }

    public void Warn(string text) => AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(text)}[/]");
}
