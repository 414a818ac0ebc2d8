using Messenger.Bench.Baseline;
using Messenger.Bench.Client;
using Messenger.Bench.Load;
using Messenger.Bench.Report;

namespace Messenger.Bench.Scenarios;

/// <summary>
/// The <c>direct</c> workload against a raw Kestrel WebSocket relay in this process — no
/// Orleans, no PostgreSQL, nothing stored: the transport ceiling of this machine.
/// </summary>
public static class BaselineScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchContext context)
    {
        await using var relay = await RawRelay.StartAsync(0);
        var relayContext = new BenchContext(new ApiClient(relay.BaseAddress), context.Settings, context.Log);
        var result = await ChatScenario.RunAsync(relayContext, relayContext.Api, ChatScenario.ShapeOf("baseline", context.Settings));
        result.Notes.Add("a raw relay in the generator's process: it shares the generator's CPU, as Messenger's processes do");
        return result;
    }
}
