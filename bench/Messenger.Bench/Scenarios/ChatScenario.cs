using Messenger.Bench.Client;
using Messenger.Bench.Load;
using Messenger.Bench.Report;

namespace Messenger.Bench.Scenarios;

/// <summary>
/// The messaging scenarios: <c>direct</c> (pairs), <c>group</c> (groups of 10) and <c>room</c>
/// (one big group, a few senders). With <c>--find-max</c> the rate climbs until p99 passes
/// 100 ms, the rate found must then hold for a measurement's length, and the measured run is at
/// 80 % of the rate that held.
/// </summary>
public static class ChatScenario
{
    public sealed record Shape(string Name, int Conversations, int Size, int Senders, double DefaultRate);

    public static Shape ShapeOf(string name, BenchSettings s) => name switch
    {
        "direct" or "baseline" => new Shape(name, s.Quick ? 20 : s.Pairs, 2, 2, s.Quick ? 200 : 2000),
        "group" => new Shape(name, s.Quick ? 4 : s.Groups, 10, 10, s.Quick ? 50 : 500),
        "room" => new Shape(name, 1, s.Quick ? 50 : s.RoomSize, s.RoomSenders, s.Quick ? 10 : 60),
        _ => throw new ArgumentException($"{name} is not a chat scenario"),
    };

    public static async Task<ScenarioResult> RunAsync(BenchContext context, ApiClient api, Shape shape, int userOffset = 0)
    {
        context.Log.Scenario(shape.Name);
        var users = (await context.UsersAsync(userOffset + (shape.Conversations * shape.Size))).Skip(userOffset).ToList();
        await using var workload = await ChatWorkload.CreateAsync(context, api, users, shape.Name, shape.Conversations, shape.Size, shape.Senders);
        var settings = context.Settings;
        var rate = settings.Rate ?? shape.DefaultRate;

        // Where the conversations live is part of what a run measured (a cluster whose ClientApi
        // knew one gateway when they were created put them all on one silo: Session 3), so every
        // run says.
        var placement = await api.ActivationsAsync(users[0], "ConversationGrain");
        if (placement.Count > 0)
        {
            context.Log.Info($"{shape.Name}: conversation grains per silo (all scenarios' so far): {string.Join(", ", placement.Select(p => $"{p.Name ?? "?"} {p.Count}"))}");
        }
        RateSearch? max = null;
        if (settings.FindMax)
        {
            max = await workload.FindMaxAsync(Math.Max(10, shape.DefaultRate / 8), SearchStep(settings), HoldStep(settings));
            rate = Math.Max(1, max.Held * 0.8);
            if (max.Holds)
            {
                context.Log.Info($"{shape.Name}: maximum {max.Held:F0} sends/s held (search steps passed {max.Stepped:F0}/s); measuring at 80 % = {rate:F0}/s");
            }
            else
            {
                context.Log.Warn($"{shape.Name}: no rate held: the hold failed at every step down to {max.Held:F0} sends/s (search steps passed {max.Stepped:F0}/s); measuring at 80 % of that = {rate:F0}/s");
            }
        }

        // Measure the steady state at this rate, as a fixed-rate run does. A fixed rate starts on
        // a fresh cluster: at 4,000 direct sends/s its first ~8 s had a p99 of 215-523 ms
        // (compiling), then 40-120 ms. The 80 % step follows the search's last step, which was
        // over: its first ~6 s had a p99 of 71-150 ms, then 36-66 ms (run 13, performance.md),
        // the cluster still recovering from the overload (measured on its own by `overload`).
        var duration = settings.Quick ? TimeSpan.FromSeconds(5) : settings.Duration;
        await workload.WarmUpAsync(rate, TimeSpan.FromSeconds(settings.Quick ? 1 : 10));

        var measured = await workload.DriveAsync("measure", rate, duration);
        var result = await workload.VerifyAsync(shape.Name, measured, rate);
        if (max is not null)
        {
            result.Extra["maxSendsPerSec"] = Math.Round(max.Held, 1);
            result.Extra["maxDeliveriesPerSec"] = Math.Round(max.Held * shape.Size, 1);
            result.Extra["searchStepMaxSendsPerSec"] = Math.Round(max.Stepped, 1);
            result.Extra["maxHeld"] = max.Holds ? 1 : 0;
            if (!max.Holds)
            {
                result.Notes.Add($"maxSendsPerSec is the last rate the hold tried, {max.Held:F0}/s, and it failed too: no rate held for the hold step");
            }
        }

        foreach (var (silo, count) in placement)
        {
            result.Extra[$"conversationGrainsOn.{silo ?? "?"}"] = count;
        }

        result.Extra["conversations"] = shape.Conversations;
        result.Extra["membersPerConversation"] = shape.Size;
        result.Extra["sessions"] = shape.Conversations * shape.Size;
        return result;
    }

    /// <summary>How long each step of the rising search runs.</summary>
    public static TimeSpan SearchStep(BenchSettings settings) => TimeSpan.FromSeconds(settings.Quick ? 3 : 8);

    /// <summary>How long the maximum found must hold: as long as the measurement that follows.</summary>
    public static TimeSpan HoldStep(BenchSettings settings) => settings.Quick ? TimeSpan.FromSeconds(3) : settings.Duration;
}
