using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Messenger.Grains.Conversations;
using Messenger.Grains.Interfaces.Serialization;
using Messenger.Grains.Push;
using Messenger.Grains.Storage;
using Messenger.Grains.Users;
using Messenger.Silo.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace Messenger.Silo.Hosting;

/// <summary>How a Messenger silo is put together.</summary>
public static class SiloBuilderExtensions
{
    /// <summary>
    /// The production silo: schema first, then an Orleans silo clustered through the
    /// PostgreSQL membership table, hosting Messenger's grains.
    /// </summary>
    public static IHostApplicationBuilder AddMessengerSilo(this IHostApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var connectionString = config.PostgresConnectionString();
        var endpoint = config.GetSection(SiloEndpointOptions.Section).Get<SiloEndpointOptions>() ?? new SiloEndpointOptions();
        var address = IPAddress.Parse(endpoint.Address);

        // Registered before Orleans so the schema exists before the silo joins the cluster.
        builder.Services.AddHostedService<SchemaMigrator>();
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = config.ClusterId();
                o.ServiceId = config.ServiceId();
            });
            silo.Configure<SiloOptions>(o => o.SiloName = endpoint.Name ?? $"silo-{endpoint.Address}-{endpoint.SiloPort}");
            silo.ConfigureEndpoints(address, endpoint.SiloPort, endpoint.GatewayPort, listenOnAnyHostAddress: false);
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = connectionString;
            });
            silo.Configure<ClusterMembershipOptions>(config.GetSection("Messenger:Membership"));
            silo.AddMessengerGrains();
        });
        return builder;
    }

    /// <summary>
    /// What the grains need, whatever the clustering: the PostgreSQL data source, the message
    /// log, grain and pub/sub storage, and the push streams. TestingHost silos call this too.
    /// </summary>
    public static ISiloBuilder AddMessengerGrains(this ISiloBuilder silo)
    {
        var config = silo.Configuration;
        var services = silo.Services;
        var connectionString = config.PostgresConnectionString();
        services.TryAddSingleton(_ => CreateDataSource(connectionString));
        services.AddMessengerSerialization();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddKeyedSingleton(SessionLeaseClock.Key, (sp, _) => sp.GetRequiredService<TimeProvider>());
        services.TryAddSingleton<SchemaMigrator>();
        services.AddOptions<MessageLogOptions>().Bind(config.GetSection("Messenger:MessageLog"));
        services.AddOptions<ConversationOptions>().Bind(config.GetSection(ConversationOptions.Section));
        services.AddMetrics();
        services.TryAddSingleton<MessageLogMetrics>();
        services.TryAddSingleton<MessageLog>();
        services.TryAddSingleton<ClientApiDirectory>();
        services.AddHostedService(sp => sp.GetRequiredService<ClientApiDirectory>());
        services.TryAddSingleton<PushOutbox>();

        services.AddGrainStorage(StorageNames.Messenger, (sp, name) =>
            new PostgresGrainStorage(name, sp.GetRequiredService<NpgsqlDataSource>(), new JsonStateSerializer(), asJson: true));
        services.AddGrainStorage(StorageNames.PubSub, (sp, name) =>
            new PostgresGrainStorage(name, sp.GetRequiredService<NpgsqlDataSource>(), new OrleansGrainStorageSerializer(sp.GetRequiredService<Orleans.Serialization.Serializer>()), asJson: false));

        var push = config.GetSection(PushStreamOptions.Section).Get<PushStreamOptions>() ?? new PushStreamOptions();
        silo.Configure<SiloMessagingOptions>(o =>
        {
            o.ClientDropTimeout = push.ClientDropTimeout;

            // As long as the ClientApi waits for its own calls: a silo's call still waiting after
            // that serves nobody. It also bounds a graceful stop, which waits for a pulling
            // agent's delivery in flight: one sent to a dead ClientApi before its drop took the
            // default 30 s (a CI run saw a stop held past 20 s).
            o.ResponseTimeout = TimeSpan.FromSeconds(10);
        });
        silo.AddMemoryStreams(Grains.Interfaces.Push.PushStreams.ProviderName, streams =>
        {
            streams.ConfigurePartitioning(Math.Max(1, push.Queues));

            // The agent hands a consumer one item per call by default, and calls are serial
            // per stream: with one stream per ClientApi that caps pushes at one round trip each.
            streams.ConfigurePullingAgent(o => o.Configure(a =>
            {
                a.GetQueueMsgsTimerPeriod = push.PollInterval;
                a.BatchContainerBatchSize = 256;
            }));

            // A push is never replayed, but the provider's cache keeps every delivered batch until
            // a newer one is 30 minutes younger (its defaults): memory that grows with the push
            // rate, allocated in 1 MB blocks that feed the silos' gen-2 collections.
            streams.ConfigureCacheEviction(o => o.Configure(e =>
            {
                e.DataMinTimeInCache = push.CacheRetention;
                e.DataMaxAgeInCache = push.CacheRetention;
                e.MetadataMinTimeInCache = push.CacheRetention;
            }));
        });
        return silo;
    }

    /// <summary>
    /// One pool per process. Timeouts are short so that, with the database down, a send fails
    /// fast with 503 instead of hanging for the driver's 15-30 s defaults. The pool is capped
    /// (unless the connection string says otherwise) so that several silos fit within the
    /// server's max_connections: group commit needs few connections, not many.
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (!connectionString.Contains("Pool Size", StringComparison.OrdinalIgnoreCase))
        {
            builder.ConnectionStringBuilder.MaxPoolSize = 40;
        }

        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = 32;
        }

        // Npgsql resets a pooled connection's session (CLOSE ALL, RESET ALL, UNLISTEN...) each
        // time it is handed out again: five statements parsed for every group-commit batch. Messenger
        // leaves no session state behind (the migrator releases its advisory lock itself).
        if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase))
        {
            builder.ConnectionStringBuilder.NoResetOnClose = true;
        }

        builder.ConnectionStringBuilder.Timeout = Math.Min(builder.ConnectionStringBuilder.Timeout, 5);
        builder.ConnectionStringBuilder.CommandTimeout = Math.Min(builder.ConnectionStringBuilder.CommandTimeout, 10);
        return builder.Build();
    }

    /// <summary>JSON for Messenger's grain state, enums as names so a person can read a row.</summary>
    private sealed class JsonStateSerializer : IGrainStorageSerializer
    {
        private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
        {
            Converters = { new JsonStringEnumConverter() },
        };

        public BinaryData Serialize<T>(T? input) => BinaryData.FromObjectAsJson(input, Options);

        public T? Deserialize<T>(BinaryData input) => input.ToObjectFromJson<T>(Options);
    }
}
