using System.Text.Json;
using System.Text.Json.Serialization;
using Messenger.ClientApi.Apis;
using Messenger.ClientApi.Auth;
using Messenger.ClientApi.Errors;
using Messenger.ClientApi.Sessions;
using Messenger.Grains.Interfaces;
using Messenger.Grains.Interfaces.Models;
using Messenger.Grains.Interfaces.Push;
using Messenger.Grains.Interfaces.Serialization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;

namespace Messenger.ClientApi.Hosting;

/// <summary>How the ClientApi process is put together.</summary>
public static class ClientApiExtensions
{
    public static WebApplicationBuilder AddMessengerClientApi(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var services = builder.Services;

        builder.UseOrleansClient(client =>
        {
            var connectionString = config["Messenger:Postgres"] is { Length: > 0 } cs
                ? cs
                : throw new InvalidOperationException("Messenger:Postgres is not set (environment variable Messenger__Postgres).");
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = config["Messenger:ClusterId"] ?? "messenger-local";
                o.ServiceId = config["Messenger:ServiceId"] ?? "messenger";
            });
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = connectionString;
            });

            // A call to a silo that just died should fail in seconds, not the default 30 s,
            // so clients can retry their idempotent sends elsewhere.
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
            // A silo that joins should take calls (and, as Orleans' default placement prefers the
            // silo a call arrives on, new activations) within seconds, not the default minute.
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
            client.UseConnectionRetryFilter(async (_, cancellationToken) =>
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                return true; // keep trying: silos may still be starting
            });
            client.AddMemoryStreams(PushStreams.ProviderName);
            client.Services.AddMessengerSerialization();
        });

        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        });
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            // Every problem carries a stable machine-readable code.
            var status = ctx.ProblemDetails.Status ?? ctx.HttpContext.Response.StatusCode;
            ctx.ProblemDetails.Extensions.TryAdd("code", ProblemCodes.DefaultFor(status));
            if (status == StatusCodes.Status400BadRequest && ctx.ProblemDetails.Detail is null)
            {
                ctx.ProblemDetails.Detail = "The request is malformed or has invalid fields.";
            }

            if (ctx.ProblemDetails is HttpValidationProblemDetails validation)
            {
                // Name fields as the JSON body does (username, not Username).
                var errors = validation.Errors.ToList();
                validation.Errors.Clear();
                foreach (var (field, messages) in errors)
                {
                    validation.Errors[JsonNamingPolicy.CamelCase.ConvertName(field)] = messages;
                }
            }

            ctx.ProblemDetails.Extensions.Remove("traceId");
            ctx.ProblemDetails.Extensions.Remove("exception");
        });
        services.AddExceptionHandler<MessengerExceptionHandler>();
        services.AddValidation();
        services.AddOpenApi();
        services.AddMemoryCache();

        services.AddAuthentication(TokenAuthenticationOptions.Scheme)
            .AddScheme<TokenAuthenticationOptions, TokenAuthenticationHandler>(TokenAuthenticationOptions.Scheme, null);
        services.AddAuthorization();
        services.AddSingleton<TokenService>();
        services.Configure<PasswordHasherOptions>(config.GetSection("Messenger:Passwords"));
        services.AddSingleton<IPasswordHasher<AccountCredentials>, PasswordHasher<AccountCredentials>>();
        services.AddSingleton<PasswordHashing>();

        services.Configure<WebSocketSessionOptions>(config.GetSection(WebSocketSessionOptions.Section));
        services.AddSingleton<ClientApiIdentity>();
        services.AddSingleton<SessionRegistry>();
        services.AddSingleton<FrameSerializer>();
        services.AddSingleton<SessionContext>();
        services.AddSingleton<GrainReferences>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SendAdmission>();
        services.AddMetrics();
        services.AddSingleton<MessageSenderMetrics>();
        services.AddSingleton<MessageSender>();
        services.AddSingleton<LostCallRepeater>();
        services.AddSingleton<ClusterConnectionWatcher>();
        services.AddSingleton<IClusterConnectionStatusObserver>(sp => sp.GetRequiredService<ClusterConnectionWatcher>());
        services.AddHostedService<SiloDeathWatcher>();
        // The silos' setting of the same name: how long a streamed push may take.
        services.AddSingleton(sp => new MessagePushOrder(
            sp.GetRequiredService<TimeProvider>(),
            config.GetValue("Messenger:Messages:StreamSettleTime", MessagePushOrder.DefaultGapWait)));
        services.AddSingleton<PushDispatcher>();
        services.AddSingleton<PushSubscriber>();
        services.AddHostedService(sp => sp.GetRequiredService<PushSubscriber>());
        services.AddHostedService<ClientApiHeartbeat>();
        services.AddHostedService<SessionLeaseRenewer>();

        // Last, so it stops first: sockets drain while pushes and leases still work.
        services.AddHostedService<SessionDrainer>();

        services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster", tags: ["ready"]);
        return builder;
    }

    public static WebApplication UseMessengerClientApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseWebSockets();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapOpenApi();
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains("ready") });

        app.MapGroup("/api/v1")
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .MapAuth()
            .MapUsers()
            .MapConversations()
            .MapMessages()
            .MapContacts()
            .MapCluster()
            .MapWebSocket();
        return app;
    }
}
