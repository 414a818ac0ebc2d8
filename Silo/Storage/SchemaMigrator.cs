using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Messenger.Silo.Storage;

/// <summary>
/// Applies the ordered scripts in <c>sql/</c> that the database has not seen, each in its own
/// transaction, recorded in <c>schema_migrations</c>. A session-level advisory lock makes silos
/// that start together take turns, so each script runs exactly once. Hand-written instead of
/// DbUp/Evolve: it is forty lines, and neither library takes the advisory lock for us.
/// </summary>
public sealed partial class SchemaMigrator(NpgsqlDataSource db, ILogger<SchemaMigrator> logger) : IHostedService
{
    // Any fixed number works; it only has to be the same for every silo of the deployment.
    private const long MigrationLockKey = 0x4D65_7373_656E_6765;

    public static string ScriptFolder => Path.Combine(AppContext.BaseDirectory, "sql");

    public async Task StartAsync(CancellationToken cancellationToken) => await ApplyAsync(ScriptFolder, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<IReadOnlyList<string>> ApplyAsync(string folder, CancellationToken cancellationToken = default)
    {
        var scripts = Directory.GetFiles(folder, "*.sql").Order(StringComparer.Ordinal).ToList();
        if (scripts.Count == 0)
        {
            throw new InvalidOperationException($"No schema scripts found in {folder}.");
        }

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, null, $"SELECT pg_advisory_lock({MigrationLockKey})", cancellationToken);
        try
        {
            await ExecuteAsync(connection, null, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    name text PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, cancellationToken);
            var applied = new List<string>();
            foreach (var script in scripts)
            {
                var name = Path.GetFileName(script);
                await using var tx = await connection.BeginTransactionAsync(cancellationToken);
                await using var check = new NpgsqlCommand("SELECT 1 FROM schema_migrations WHERE name = $1", connection, tx);
                check.Parameters.Add(new NpgsqlParameter { Value = name });
                if (await check.ExecuteScalarAsync(cancellationToken) is not null)
                {
                    continue;
                }

                await ExecuteAsync(connection, tx, await File.ReadAllTextAsync(script, cancellationToken), cancellationToken);
                await using var record = new NpgsqlCommand("INSERT INTO schema_migrations (name) VALUES ($1)", connection, tx);
                record.Parameters.Add(new NpgsqlParameter { Value = name });
                await record.ExecuteNonQueryAsync(cancellationToken);
                await tx.CommitAsync(cancellationToken);
                LogApplied(name);
                applied.Add(name);
            }

            return applied;
        }
        finally
        {
            await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({MigrationLockKey})", CancellationToken.None);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied schema migration {Name}")]
    private partial void LogApplied(string name);
}
