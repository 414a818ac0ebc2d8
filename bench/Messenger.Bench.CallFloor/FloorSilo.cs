using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messenger.Bench.CallFloor;

/// <summary>One silo of the floor's cluster: development clustering, default settings.</summary>
internal static class FloorSilo
{
    public static async Task RunAsync(FloorPorts ports, int index, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo.UseLocalhostClustering(ports.Silo(index), ports.Gateway(index), ports.Primary));
        using var host = builder.Build();
        await host.RunAsync(cancellationToken);
    }
}
