using Messenger.Silo.Storage;
using Npgsql;
using Orleans.Storage;

namespace Messenger.Tests.Storage;

public sealed class PostgresGrainStorageTests
{
    [Fact]
    public async Task Write_WithAStaleETag_IsRefused_AndTheStoredStateIsReadableJson()
    {
        var connectionString = await (await PostgresServer.Shared).CreateDatabaseAsync();
        await using var db = NpgsqlDataSource.Create(connectionString);
        var storage = new PostgresGrainStorage("test", db, new JsonSerializer(), asJson: true);
        var grainId = GrainId.Create("test", Guid.NewGuid().ToString("N"));

        var first = new GrainState<Note> { State = new Note { Text = "one" } };
        await storage.WriteStateAsync("note", grainId, first);
        var stale = new GrainState<Note>();
        await storage.ReadStateAsync("note", grainId, stale);
        first.State!.Text = "two";
        await storage.WriteStateAsync("note", grainId, first);

        stale.State!.Text = "lost update";
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("note", grainId, stale));
        var fresh = new GrainState<Note>();
        await storage.ReadStateAsync("note", grainId, fresh);
        Assert.Equal("two", fresh.State!.Text);
        Assert.True(fresh.RecordExists);
        var json = await db.CreateCommand($"SELECT state->>'Text' FROM grain_state WHERE grain_id = '{grainId}'").ExecuteScalarAsync();
        Assert.Equal("two", json);

        await storage.ClearStateAsync("note", grainId, fresh);
        var cleared = new GrainState<Note>();
        await storage.ReadStateAsync("note", grainId, cleared);
        Assert.False(cleared.RecordExists);
    }

    public sealed class Note
    {
        public string Text { get; set; } = "";
    }

    private sealed class JsonSerializer : IGrainStorageSerializer
    {
        public BinaryData Serialize<T>(T? input) => BinaryData.FromObjectAsJson(input);

        public T? Deserialize<T>(BinaryData input) => input.ToObjectFromJson<T>();
    }
}
