using Messenger.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Messenger.Tests.Infrastructure;

/// <summary>
/// Real Messenger silos, built exactly as the Silo process builds them (schema migrator,
/// ADO.NET clustering on PostgreSQL), hosted in the test process on free ports.
/// </summary>
public sealed class InProcessSilos : IAsyncDisposable
{
    private readonly List<IHost> _hosts = [];

    public InProcessSilos(string connectionString, string clusterId)
    {
        ConnectionString = connectionString;
        ClusterId = clusterId;
    }

    public string ConnectionString { get; }

    public string ClusterId { get; }

    public async Task StartAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Development" });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Messenger:Postgres"] = ConnectionString,
                ["Messenger:ClusterId"] = ClusterId,
                ["Messenger:Silo:SiloPort"] = PostgresServer.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Messenger:Silo:GatewayPort"] = PostgresServer.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Messenger:Silo:Name"] = $"test-silo-{i}",
                ["Logging:LogLevel:Default"] = "Warning",
            });
            builder.AddMessengerSilo();
            var host = builder.Build();
            await host.StartAsync();
            _hosts.Add(host);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts.AsEnumerable().Reverse())
        {
            await host.StopAsync(TimeSpan.FromSeconds(10));
            host.Dispose();
        }
    }
}
