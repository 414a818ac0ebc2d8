using Microsoft.Extensions.Configuration;

namespace Messenger.Silo.Hosting;

/// <summary>Settings every Messenger process shares, read from configuration.</summary>
public static class MessengerConfiguration
{
    /// <summary>The PostgreSQL connection string (<c>Messenger:Postgres</c>, env <c>Messenger__Postgres</c>).</summary>
    public static string PostgresConnectionString(this IConfiguration configuration) =>
        configuration["Messenger:Postgres"] is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "Messenger:Postgres is not set. Give the PostgreSQL connection string in appsettings.json or the environment variable Messenger__Postgres.");

    public static string ClusterId(this IConfiguration configuration) => configuration["Messenger:ClusterId"] ?? "messenger-local";

    public static string ServiceId(this IConfiguration configuration) => configuration["Messenger:ServiceId"] ?? "messenger";
}
