using System.CommandLine;
using Messenger.Bench.CallFloor;

// What one Orleans call from a client to a grain costs on this machine, with nothing else in
// it: no ClientApi, no WebSocket, no database. Two silos in their own processes and this
// process as their client, as in Messenger; open-loop calls at each rate, and the CPU time of
// every process per call. Messenger's direct send makes one such call; this is its floor.
var rates = new Option<string>("--rates") { Description = "comma-separated calls/s, one measurement each", DefaultValueFactory = _ => "1000,3500,7000,14000" };
var seconds = new Option<int>("--seconds") { Description = "measured seconds per rate", DefaultValueFactory = _ => 20 };
var ports = new Option<string>("--ports") { Description = "silo-0, silo-1, gateway-0, gateway-1", DefaultValueFactory = _ => "21111,21112,21113,21114" };
var warmUp = new Option<int>("--warm-up") { Description = "unmeasured seconds at each rate before it is measured", DefaultValueFactory = _ => 10 };
var json = new Option<string?>("--json") { Description = "write the results as JSON to this path" };
var siloIndex = new Option<int?>("--silo") { Description = "internal: host silo N (the run starts these itself)" };

var root = new RootCommand("Orleans call floor: CPU per client-to-grain call, two silos, no Messenger code") { rates, seconds, warmUp, ports, json, siloIndex };
root.SetAction(async (parse, cancellationToken) =>
{
    var layout = FloorPorts.Parse(parse.GetValue(ports)!);
    if (parse.GetValue(siloIndex) is { } index)
    {
        await FloorSilo.RunAsync(layout, index, cancellationToken);
        return 0;
    }

    var list = parse.GetValue(rates)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
    var results = await FloorRun.RunAsync(layout, list, TimeSpan.FromSeconds(parse.GetValue(warmUp)), TimeSpan.FromSeconds(parse.GetValue(seconds)), cancellationToken);
    FloorReport.Print(results);
    if (parse.GetValue(json) is { } path)
    {
        await FloorReport.WriteJsonAsync(path, results, cancellationToken);
    }

    return results.Any(r => r.Failed > 0) ? 1 : 0;
});

return await root.Parse(args).InvokeAsync();
