using Messenger.Grains.Interfaces.Push;
using Messenger.Grains.Interfaces.Serialization;
using Messenger.Grains.Push;
using Messenger.Grains.Users;
using Microsoft.Extensions.DependencyInjection;
using Messenger.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace Messenger.Tests.Infrastructure;

/// <summary>
/// An Orleans TestingHost cluster of two silos hosting Messenger's grains on a fresh
/// PostgreSQL database, shared by the tests of one collection.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    /// <summary>
    /// The clock the silos judge session leases by. Static because TestingHost builds silo
    /// configurators from their type; there is one cluster fixture per collection, and the
    /// tests of a collection run one at a time.
    /// </summary>
    public static TestClock LeaseClock { get; } = new();

    public TestCluster Cluster { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        var server = await PostgresServer.Shared;
        ConnectionString = await server.CreateDatabaseAsync();
        var builder = new TestClusterBuilder(initialSilosCount: 2);
        builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messenger:Postgres"] = ConnectionString,
        }));
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    /// <summary>A grain factory inside one of the silos, so a call starts from that silo.</summary>
    public IGrainFactory GrainsOnSilo(int index) =>
        ((InProcessSiloHandle)Cluster.Silos[index]).SiloHost.Services.GetRequiredService<IGrainFactory>();

    /// <summary>Makes every silo re-read the live ClientApi list now instead of within a second.</summary>
    public Task RefreshClientApiDirectoriesAsync() => Task.WhenAll(Cluster.Silos.OfType<InProcessSiloHandle>()
        .Select(silo => silo.SiloHost.Services.GetRequiredService<ClientApiDirectory>().RefreshAsync()));

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    internal sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.Services.AddKeyedSingleton<TimeProvider>(SessionLeaseClock.Key, LeaseClock);
            siloBuilder.AddMessengerGrains();
        }
    }

    internal sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
        {
            clientBuilder.AddMemoryStreams(PushStreams.ProviderName);
            clientBuilder.Services.AddMessengerSerialization();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
