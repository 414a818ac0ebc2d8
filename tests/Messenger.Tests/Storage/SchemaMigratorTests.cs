using Messenger.Silo.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Messenger.Tests.Storage;

public sealed class SchemaMigratorTests
{
    [Fact]
    public async Task SilosStartingTogether_ApplyEachScriptExactlyOnce()
    {
        var server = await PostgresServer.Shared;
        var name = $"migrate_{Guid.NewGuid():N}";
        await using (var admin = NpgsqlDataSource.Create(server.AdminConnectionString))
        {
            await admin.CreateCommand($"CREATE DATABASE {name}").ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(server.AdminConnectionString) { Database = name }.ConnectionString;
        await using var db = NpgsqlDataSource.Create(connectionString);
        var migrators = Enumerable.Range(0, 4).Select(_ => new SchemaMigrator(db, NullLogger<SchemaMigrator>.Instance)).ToList();

        var applied = await Task.WhenAll(migrators.Select(m => m.ApplyAsync(SchemaMigrator.ScriptFolder)));
        var again = await migrators[0].ApplyAsync(SchemaMigrator.ScriptFolder);

        var scripts = Directory.GetFiles(SchemaMigrator.ScriptFolder, "*.sql").Select(f => Path.GetFileName(f)!).Order().ToList();
        Assert.Equal(scripts, applied.SelectMany(a => a).Order().ToList());
        Assert.Empty(again);
        var recorded = await db.CreateCommand("SELECT count(*) FROM schema_migrations").ExecuteScalarAsync();
        Assert.Equal((long)scripts.Count, recorded);
    }
}
