using System.CommandLine;
using Messenger.Bench;
using Messenger.Bench.Client;
using Messenger.Bench.Load;
using Messenger.Bench.Report;
using Messenger.Bench.Scenarios;

// The Messenger load generator: simulated users over real WebSockets and REST against a
// running cluster. Prints live progress, a summary table, and JSON with --json.
// Redirected output (CI, files) has no terminal width; keep the table readable there too.
if (Console.IsOutputRedirected)
{
    Spectre.Console.AnsiConsole.Profile.Width = 200;
}

string[] allScenarios = ["direct", "group", "room", "idle", "connect", "overload", "baseline"];

// Not part of "all": it kills processes, so it needs run.sh's cluster (bench/run.sh --chaos).
string[] otherScenarios = ["chaos"];

var url = new Option<string>("--url") { Description = "ClientApi base URL", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
var scenarios = new Option<string>("--scenarios") { Description = $"comma-separated: {string.Join(",", allScenarios)} or all; or {string.Join(",", otherScenarios)}", DefaultValueFactory = _ => "all" };
var quick = new Option<bool>("--quick") { Description = "every scenario small and short (minutes, not tens of minutes)" };
var findMax = new Option<bool>("--find-max") { Description = "raise the rate until p99 passes 100 ms or errors appear, step down until that rate holds for --duration, and measure at 80 % of it" };
var duration = new Option<int>("--duration") { Description = "seconds of measured load per scenario", DefaultValueFactory = _ => 20 };
var rate = new Option<double?>("--rate") { Description = "target sends/s (open loop) instead of each scenario's default" };
var pairs = new Option<int>("--pairs") { Description = "direct: conversations (pairs)", DefaultValueFactory = _ => 100 };
var groups = new Option<int>("--groups") { Description = "group: groups of 10", DefaultValueFactory = _ => 20 };
var roomSize = new Option<int>("--room-size") { Description = "room: members", DefaultValueFactory = _ => 500 };
var idleSessions = new Option<int>("--idle-sessions") { Description = "idle: sessions to open", DefaultValueFactory = _ => 10_000 };
var pidDir = new Option<string?>("--pid-dir") { Description = "run.sh's pid folder ($MESSENGER_DATA/run), for memory figures" };
var json = new Option<string?>("--json") { Description = "write the results as JSON to this path" };
var clientApis = new Option<int>("--clientapis") { Description = "ClientApis to spread users over: ClientApi i listens on --url's port + i (run.sh's layout)", DefaultValueFactory = _ => 1 };
var chaosInterval = new Option<int?>("--chaos-interval") { Description = "chaos: seconds from one process being healthy again to the next kill (default 12; 8 with --quick)" };

var root = new RootCommand("Messenger load generator") { url, scenarios, quick, findMax, duration, rate, pairs, groups, roomSize, idleSessions, pidDir, json, clientApis, chaosInterval };
root.SetAction(async (parse, cancellationToken) =>
{
    var names = parse.GetValue(scenarios)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    if (names.Contains("all"))
    {
        names = allScenarios;
    }

    var unknown = names.Except(allScenarios).Except(otherScenarios).ToList();
    if (unknown.Count > 0)
    {
        Console.Error.WriteLine($"unknown scenario(s): {string.Join(", ", unknown)}");
        return 2;
    }

    var settings = new BenchSettings
    {
        Url = new Uri(parse.GetValue(url)!),
        Scenarios = names,
        Quick = parse.GetValue(quick),
        FindMax = parse.GetValue(findMax),
        Duration = TimeSpan.FromSeconds(parse.GetValue(duration)),
        DurationGiven = parse.GetResult(duration) is { Implicit: false },
        ClientApis = Math.Max(1, parse.GetValue(clientApis)),
        ChaosInterval = TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(chaosInterval) ?? (parse.GetValue(quick) ? 8 : 12))),
        Rate = parse.GetValue(rate),
        Pairs = parse.GetValue(pairs),
        Groups = parse.GetValue(groups),
        RoomSize = parse.GetValue(roomSize),
        IdleSessions = parse.GetValue(idleSessions),
        PidDirectory = parse.GetValue(pidDir),
        JsonPath = parse.GetValue(json),
    };
    var context = new BenchContext(new ApiClient(settings.Url), settings, new ProgressLog());
    if (HostWriteback.Read() is { } writeback)
    {
        context.Log.Info(writeback.Bursty
            ? $"host writeback: {writeback} (defaults): PostgreSQL's dirty pages go out in bursts every ~30 s and stall commits; see docs/performance.md on vm.dirty_background_bytes"
            : $"host writeback: {writeback}");
    }

    MachineProbe? firstProbe = null;
    var results = new List<ScenarioResult>();
    foreach (var name in names)
    {
        // Before each scenario: this VM's speed moved by half within an hour (Run 14), so each
        // scenario's figures carry the machine's speed just before them.
        var before = MachineProbe.Measure();
        firstProbe ??= before;
        context.Log.Info($"machine: {before}");

        ScenarioResult result = name switch
        {
            "idle" => await IdleScenario.RunAsync(context, context.Api),
            "connect" => await ConnectScenario.RunAsync(context, context.Api),
            "overload" => await OverloadScenario.RunAsync(context, context.Api, ChatScenario.ShapeOf("direct", settings), MaxOf(results, "direct")),
            "baseline" => await BaselineScenario.RunAsync(context),
            "chaos" => await ChaosScenario.RunAsync(context),
            _ => await ChatScenario.RunAsync(context, context.Api, ChatScenario.ShapeOf(name, settings)),
        };
        if (before.SyscallNanoseconds is { } syscallNs)
        {
            result.Extra["machineSyscallNs"] = Math.Round(syscallNs, 1);
        }

        result.Extra["machinePbkdf2Ms"] = Math.Round(before.Pbkdf2Milliseconds, 2);
        results.Add(result);
    }

    // Messenger's direct throughput as a share of the raw relay's, when both ran.
    var direct = results.Find(r => r.Scenario == "direct");
    var baseline = results.Find(r => r.Scenario == "baseline");
    if (direct is not null && baseline is not null)
    {
        var a = direct.Extra.GetValueOrDefault("maxSendsPerSec", direct.SendsPerSec);
        var b = baseline.Extra.GetValueOrDefault("maxSendsPerSec", baseline.SendsPerSec);
        baseline.Extra["directToBaselineRatio"] = b > 0 ? Math.Round(a / b, 3) : 0;
    }

    Reporter.Print(results);
    if (settings.JsonPath is not null)
    {
        await Reporter.WriteJsonAsync(settings.JsonPath, results, settings, firstProbe);
    }

    var failed = results.Where(r => !r.Passed).ToList();
    if (failed.Count > 0)
    {
        Console.Error.WriteLine($"FAILED: {string.Join("; ", failed.Select(r => $"{r.Scenario}: {r.Lost} lost, {r.Duplicates} duplicated, {r.Gaps} gaps"))}");
        return 1;
    }

    return 0;
});

return await root.Parse(args).InvokeAsync();

static double? MaxOf(List<ScenarioResult> results, string scenario) =>
    results.Find(r => r.Scenario == scenario)?.Extra.TryGetValue("maxSendsPerSec", out var max) == true ? max : null;
