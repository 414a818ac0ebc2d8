using Messenger.Grains.Storage;
using Messenger.Silo.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
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

    [Fact]
    public async Task MessagesStoredBeforeConversationKeys_AreReadAndKeepTheirRulesAfterwards()
    {
        var db = NpgsqlDataSource.Create(await (await PostgresServer.Shared).CreateDatabaseAsync(migrate: false));
        await using var _ = db;
        var migrator = new SchemaMigrator(db, NullLogger<SchemaMigrator>.Instance);
        var before = Directory.CreateTempSubdirectory("sql-before-keys");
        try
        {
            foreach (var script in new[] { "0001_orleans_clustering.sql", "0002_messenger.sql" })
            {
                File.Copy(Path.Combine(SchemaMigrator.ScriptFolder, script), Path.Combine(before.FullName, script));
            }

            await migrator.ApplyAsync(before.FullName);
        }
        finally
        {
            before.Delete(recursive: true);
        }

        // Rows as the log wrote them before 0003: keyed by the conversation's id.
        await db.CreateCommand("""
            INSERT INTO messages (conversation_id, seq, sender_id, sender_username, client_message_id, text, sent_at)
            VALUES ('d_old_pair', 1, 'u_a', 'a', 'c-1', 'one', now()), ('d_old_pair', 2, 'u_b', 'b', 'c-2', 'two', now()),
                   ('g_old_group', 1, 'u_a', 'a', 'c-1', 'first', now())
            """).ExecuteNonQueryAsync();

        Assert.Equal(["0003_conversation_keys.sql"], await migrator.ApplyAsync(SchemaMigrator.ScriptFolder));

        await using var log = new MessageLog(db, Options.Create(new MessageLogOptions()), NullLogger<MessageLog>.Instance);
        var page = await log.ReadAsync("d_old_pair", new HistoryQuery(0, null, 10));
        Assert.Equal([(1L, "one", "d_old_pair"), (2L, "two", "d_old_pair")], page.Messages.Select(m => (m.Seq, m.Text, m.ConversationId)));
        Assert.Equal("first", (await log.GetLastAsync("g_old_group"))?.Text);

        // The old rows still decide repeats and taken seqs; new rows follow them.
        var repeat = await log.AppendAsync([Row("d_old_pair", 3, "u_b", "c-2")]);
        var taken = await log.AppendAsync([Row("d_old_pair", 2, "u_a", "c-new")]);
        var next = await log.AppendAsync([Row("d_old_pair", 3, "u_a", "c-3")]);
        Assert.Equal((AppendStatus.Duplicate, 2L), (repeat.Status, repeat.Seq));
        Assert.Equal(AppendStatus.SeqTaken, taken.Status);
        Assert.Equal((AppendStatus.Stored, 3L), (next.Status, next.Seq));
        Assert.Equal(3, (await log.GetLastAsync("d_old_pair"))?.Seq);
        Assert.Null(await log.GetLastAsync("d_never_written"));
    }

    private static MessageRecord Row(string conversationId, long seq, string senderId, string clientMessageId) => new(
        conversationId, seq, senderId, senderId, "text", DateTimeOffset.UtcNow, clientMessageId, ReplyTo: null, EditedAt: null, Deleted: false);
}
