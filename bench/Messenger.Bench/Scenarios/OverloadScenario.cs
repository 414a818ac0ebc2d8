using Messenger.Bench.Client;
using Messenger.Bench.Load;
using Messenger.Bench.Report;

namespace Messenger.Bench.Scenarios;

/// <summary>
/// Twice the measured maximum for a while, then half of it: what was acknowledged, lost and
/// refused, and how long until p99 is back under 100 ms.
/// </summary>
public static class OverloadScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchContext context, ApiClient api, ChatScenario.Shape shape, double? knownMax)
    {
        var name = $"overload-{shape.Name}";
        context.Log.Scenario(name);
        var users = await context.UsersAsync(shape.Conversations * shape.Size);
        await using var workload = await ChatWorkload.CreateAsync(context, api, users, name, shape.Conversations, shape.Size, shape.Senders);
        var phase = context.Settings.Quick ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(30);
        var max = knownMax ?? (await workload.FindMaxAsync(Math.Max(10, shape.DefaultRate / 8), ChatScenario.SearchStep(context.Settings), ChatScenario.HoldStep(context.Settings))).Held;
        max = Math.Max(max, 10);

        var over = await workload.DriveAsync("2x max", max * 2, phase);
        var after = await workload.DriveAsync("0.5x max", max / 2, phase);
        var result = await workload.VerifyAsync(name, after, max / 2);
        result.Extra["maxSendsPerSec"] = Math.Round(max, 1);
        result.Extra["overloadAckedPerSec"] = Math.Round(over.AckedPerSec, 1);
        result.Extra["overloadWorstP99Ms"] = Math.Round(over.WorstP99, 1);
        result.Extra["overloadErrors"] = over.Errors;
        result.Extra["recoverySec"] = double.IsNaN(after.RecoveredAtSec) ? -1 : after.RecoveredAtSec;
        result.Notes.Add("recoverySec: seconds into the half-rate phase until a second's p99 was back under 100 ms (-1: never)");
        return result;
    }
}
