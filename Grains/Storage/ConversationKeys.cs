using System.Collections.Concurrent;
using Npgsql;
using NpgsqlTypes;

namespace Messenger.Grains.Storage;

/// <summary>
/// The number each conversation's messages are stored under (the <c>conversation_keys</c>
/// table): the message log's indexes hold it instead of the conversation's id of up to 75
/// characters. A number never changes once given, so each silo remembers the ones it used.
/// </summary>
public sealed class ConversationKeys(NpgsqlDataSource db)
{
    // About 200 bytes an entry. Past this many the memory is started afresh rather than tracked
    // by use: a silo that outgrows it pays one small query per conversation again.
    private const int MaxRemembered = 100_000;

    private readonly ConcurrentDictionary<string, long> _keys = new(StringComparer.Ordinal);

    /// <summary>
    /// The conversation's number, or null while it has none: a conversation gets one with its
    /// first message, so reads of one that never had a message (any id can be asked for) write
    /// nothing.
    /// </summary>
    public async ValueTask<long?> FindAsync(string conversationId)
    {
        if (_keys.TryGetValue(conversationId, out var known))
        {
            return known;
        }

        await using var cmd = db.CreateCommand("SELECT conversation_key FROM conversation_keys WHERE conversation_id = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = conversationId });
        if (await cmd.ExecuteScalarAsync() is long key)
        {
            Remember(conversationId, key);
            return key;
        }

        return null;
    }

    /// <summary>The numbers of these conversations, given to those that have none yet.</summary>
    public async ValueTask<IReadOnlyDictionary<string, long>> GetOrCreateAsync(IEnumerable<string> conversationIds)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        HashSet<string>? missing = null;
        foreach (var id in conversationIds)
        {
            if (_keys.TryGetValue(id, out var key))
            {
                result[id] = key;
            }
            else
            {
                (missing ??= new(StringComparer.Ordinal)).Add(id);
            }
        }

        if (missing is null)
        {
            return result;
        }

        // One round trip: the insert skips numbers given meanwhile by another silo, and the
        // select, a later statement of the same transaction, sees both kinds.
        var ids = missing.ToArray();
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            "INSERT INTO conversation_keys (conversation_id) SELECT unnest($1::text[]) ON CONFLICT (conversation_id) DO NOTHING")
        {
            Parameters = { new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = ids } },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            "SELECT conversation_id, conversation_key FROM conversation_keys WHERE conversation_id = ANY($1::text[])")
        {
            Parameters = { new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = ids } },
        });
        await using var reader = await batch.ExecuteReaderAsync();
        do
        {
            while (reader.FieldCount == 2 && await reader.ReadAsync())
            {
                var (id, key) = (reader.GetString(0), reader.GetInt64(1));
                result[id] = key;
                Remember(id, key);
            }
        }
        while (await reader.NextResultAsync());

        return result;
    }

    private void Remember(string conversationId, long key)
    {
        if (_keys.Count >= MaxRemembered)
        {
            _keys.Clear();
        }

        _keys[conversationId] = key;
    }
}
