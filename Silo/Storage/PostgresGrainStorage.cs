using Messenger.Grains.Interfaces.Models;
using Npgsql;
using NpgsqlTypes;
using Orleans.Storage;

namespace Messenger.Silo.Storage;

/// <summary>
/// Grain state in the <c>grain_state</c> table, one row per grain and state name, with an
/// integer version as the ETag (optimistic concurrency: a write that did not see the latest
/// version fails). Hand-written rather than the ADO.NET provider because it is small and stores
/// Messenger's state as JSONB that people learning the system can read with psql; Orleans'
/// own internal state (stream pub/sub) keeps its binary form in <c>state_binary</c>.
/// </summary>
public sealed class PostgresGrainStorage(string name, NpgsqlDataSource db, IGrainStorageSerializer serializer, bool asJson) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Guard(() => ReadAsync(stateName, grainId, grainState));

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Guard(() => WriteAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Guard(() => ClearAsync(stateName, grainId, grainState));

    // A database that cannot be reached is the protocol's 503 "unavailable", not an internal error.
    private static async Task Guard(Func<Task> operation)
    {
        try
        {
            await operation();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new MessengerException(ErrorCodes.Unavailable, $"The grain store is unavailable ({ex.GetType().Name}).");
        }
    }

    private async Task ReadAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        const string sql = "SELECT version, state::text, state_binary FROM grain_state WHERE grain_id = $1 AND state_name = $2";
        await using var cmd = db.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = grainId.ToString() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = StateKey(stateName) });
        await using var reader = await cmd.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        var data = asJson
            ? BinaryData.FromString(reader.GetString(1))
            : new BinaryData(reader.GetFieldValue<byte[]>(2));
        grainState.State = serializer.Deserialize<T>(data) ?? Activator.CreateInstance<T>();
        grainState.ETag = reader.GetInt64(0).ToString(System.Globalization.CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    private async Task WriteAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var data = serializer.Serialize(grainState.State);
        var payload = asJson
            ? new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = data.ToString() }
            : new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = data.ToArray() };
        var column = asJson ? "state" : "state_binary";

        // No ETag: the row must not exist yet. With one: it must still carry that version.
        var sql = grainState.ETag is null
            ? $"INSERT INTO grain_state (grain_id, state_name, version, {column}) VALUES ($1, $2, 1, $3) ON CONFLICT DO NOTHING RETURNING version"
            : $"UPDATE grain_state SET {column} = $3, version = version + 1, updated_at = now() WHERE grain_id = $1 AND state_name = $2 AND version = $4 RETURNING version";
        await using var cmd = db.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = grainId.ToString() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = StateKey(stateName) });
        cmd.Parameters.Add(payload);
        if (grainState.ETag is not null)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = long.Parse(grainState.ETag, System.Globalization.CultureInfo.InvariantCulture) });
        }

        var version = await cmd.ExecuteScalarAsync();
        if (version is not long newVersion)
        {
            throw new InconsistentStateException(
                $"Grain state of {grainId} ({stateName}) was changed by someone else.", grainState.ETag ?? "none", "unknown");
        }

        grainState.ETag = newVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    private async Task ClearAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        const string sql = "DELETE FROM grain_state WHERE grain_id = $1 AND state_name = $2 AND ($3::bigint IS NULL OR version = $3)";
        await using var cmd = db.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = grainId.ToString() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = StateKey(stateName) });
        cmd.Parameters.Add(new NpgsqlParameter
        {
            NpgsqlDbType = NpgsqlDbType.Bigint,
            Value = grainState.ETag is null ? DBNull.Value : long.Parse(grainState.ETag, System.Globalization.CultureInfo.InvariantCulture),
        });
        await cmd.ExecuteNonQueryAsync();
        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = Activator.CreateInstance<T>();
    }

    // Two providers may store state for the same grain; the provider name keeps them apart.
    private string StateKey(string stateName) => $"{name}/{stateName}";
}
