using Messenger.ClientApi.Sessions;
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
        ConnectionString = await (await PostgresServer.Shared).CreateDatabaseAsync();
        Cluster = await DeployAsync(silos: 2, ConnectionString);
    }

    /// <summary>
    /// Deploys a TestingHost cluster of Messenger's silos on the given database, with any further
    /// settings; for tests that need a cluster of their own (one they stop silos of).
    /// </summary>
    public static async Task<TestCluster> DeployAsync(int silos, string connectionString, params (string Key, string Value)[] settings)
    {
        var builder = new TestClusterBuilder(initialSilosCount: (short)silos);
        builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(
            settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))
                .Prepend(KeyValuePair.Create("Messenger:Postgres", (string?)connectionString))));
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
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

            // As the ClientApi does, so that tests of its send path see gateways go.
            clientBuilder.Services.AddSingleton<ClusterConnectionWatcher>();
            clientBuilder.Services.AddSingleton<IClusterConnectionStatusObserver>(sp => sp.GetRequiredService<ClusterConnectionWatcher>());
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
