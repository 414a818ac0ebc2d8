using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Messenger.Grains.Storage;

/// <summary>
/// The message log: the <c>messages</c> table, keyed by (conversation, seq), where a conversation
/// is its number in <c>conversation_keys</c> (<see cref="ConversationKeys"/>).
/// Appends from all conversation grains of this silo are queued and written by a few writer
/// loops as multi-row INSERTs (group commit), so durability costs one fsync per batch, not per
/// message. An append is one or more consecutive rows of one conversation, stored together or
/// not at all; a batch holds at most one append per conversation, which makes a unique-key
/// conflict attributable to exactly one append.
/// </summary>
public sealed partial class MessageLog : IAsyncDisposable
{
    private const string UniqueViolation = "23505";

    private readonly NpgsqlDataSource _db;
    private readonly ConversationKeys _keys;
    private readonly MessageLogOptions _options;
    private readonly ILogger<MessageLog> _logger;
    private readonly MessageLogMetrics? _metrics;
    private readonly Channel<PendingAppend> _queue = Channel.CreateUnbounded<PendingAppend>(
        new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private readonly Task[] _writers;
    private int _lastBatchSize;

    public MessageLog(NpgsqlDataSource db, IOptions<MessageLogOptions> options, ILogger<MessageLog> logger, MessageLogMetrics? metrics = null)
    {
        _db = db;
        _keys = new ConversationKeys(db);
        _options = options.Value;
        _logger = logger;
        _metrics = metrics;
        _writers = Enumerable.Range(0, Math.Max(1, _options.Writers)).Select(_ => Task.Run(WriteLoopAsync)).ToArray();
    }

    /// <summary>
    /// Queues consecutive rows of one conversation, committed in one transaction: all are stored
    /// or none. An append of several rows that collides with stored ones answers
    /// <see cref="AppendStatus.Collided"/>; appending them one at a time tells which collided.
    /// Completes once the rows are committed, or says why they were not stored.
    /// </summary>
    public Task<AppendOutcome> AppendAsync(IReadOnlyList<MessageRecord> messages)
    {
        var pending = new PendingAppend(messages);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw Unavailable(new ObjectDisposedException(nameof(MessageLog)));
        }

        return pending.Completion.Task;
    }

    /// <summary>The newest stored message of a conversation, or null when it has none.</summary>
    public async Task<MessageRecord?> GetLastAsync(string conversationId)
    {
        const string sql = $"SELECT {Columns} FROM messages WHERE conversation_key = $1 ORDER BY seq DESC LIMIT 1";
        return await GuardAsync(async () =>
        {
            if (await _keys.FindAsync(conversationId) is not { } key)
            {
                return null;
            }

            await using var cmd = _db.CreateCommand(sql);
            cmd.Parameters.Add(new NpgsqlParameter { Value = key });
            await using var reader = await cmd.ExecuteReaderAsync();
            return await reader.ReadAsync() ? ReadMessage(reader, conversationId) : null;
        });
    }

    /// <summary>One stored message, or null when the conversation has no such seq.</summary>
    public async Task<MessageRecord?> GetAsync(string conversationId, long seq)
    {
        const string sql = $"SELECT {Columns} FROM messages WHERE conversation_key = $1 AND seq = $2";
        return await GuardAsync(async () =>
        {
            if (await _keys.FindAsync(conversationId) is not { } key)
            {
                return null;
            }

            await using var cmd = _db.CreateCommand(sql);
            cmd.Parameters.Add(new NpgsqlParameter { Value = key });
            cmd.Parameters.Add(new NpgsqlParameter { Value = seq });
            await using var reader = await cmd.ExecuteReaderAsync();
            return await reader.ReadAsync() ? ReadMessage(reader, conversationId) : null;
        });
    }

    /// <summary>
    /// Rewrites a stored message in place: a new text and <c>edited_at</c>, or (deleted) the
    /// text erased and the row kept as a tombstone. A deleted row is never changed again.
    /// Returns whether a row changed.
    /// </summary>
    public async Task<bool> RewriteAsync(string conversationId, long seq, string text, DateTimeOffset? editedAt, bool deleted)
    {
        const string sql = """
            UPDATE messages SET text = $3, edited_at = coalesce($4, edited_at), deleted = $5
            WHERE conversation_key = $1 AND seq = $2 AND NOT deleted
            """;
        return await GuardAsync(async () =>
        {
            if (await _keys.FindAsync(conversationId) is not { } key)
            {
                return false;
            }

            await using var cmd = _db.CreateCommand(sql);
            cmd.Parameters.Add(new NpgsqlParameter { Value = key });
            cmd.Parameters.Add(new NpgsqlParameter { Value = seq });
            cmd.Parameters.Add(new NpgsqlParameter { Value = text });
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = (object?)editedAt ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter { Value = deleted });
            return await cmd.ExecuteNonQueryAsync() > 0;
        });
    }

    /// <summary>
    /// The highest seq each sender stored after <paramref name="afterSeq"/>: sending moves the
    /// sender's read position, and this recovers moves not yet saved when a silo died.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, long>> GetLastSentAsync(string conversationId, long afterSeq)
    {
        const string sql = "SELECT sender_id, max(seq) FROM messages WHERE conversation_key = $1 AND seq > $2 GROUP BY sender_id";
        return await GuardAsync(async () =>
        {
            var result = new Dictionary<string, long>();
            if (await _keys.FindAsync(conversationId) is not { } key)
            {
                return (IReadOnlyDictionary<string, long>)result;
            }

            await using var cmd = _db.CreateCommand(sql);
            cmd.Parameters.Add(new NpgsqlParameter { Value = key });
            cmd.Parameters.Add(new NpgsqlParameter { Value = afterSeq });
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                result[reader.GetString(0)] = reader.GetInt64(1);
            }

            return (IReadOnlyDictionary<string, long>)result;
        });
    }

    /// <summary>
    /// A page in ascending order. <c>after</c> pages forward from a seq; <c>before</c> (or
    /// neither, meaning the latest) pages backward. <see cref="MessagePage.HasMore"/> says whether
    /// rows lie further in the paging direction.
    /// </summary>
    public async Task<MessagePage> ReadAsync(string conversationId, HistoryQuery query)
    {
        var forward = query.After is not null;
        var sql = forward
            ? $"SELECT {Columns} FROM messages WHERE conversation_key = $1 AND seq > $2 AND seq < $3 ORDER BY seq ASC LIMIT $4"
            : $"SELECT {Columns} FROM messages WHERE conversation_key = $1 AND seq > $2 AND seq < $3 ORDER BY seq DESC LIMIT $4";
        return await GuardAsync(async () =>
        {
            if (await _keys.FindAsync(conversationId) is not { } key)
            {
                return new MessagePage([], HasMore: false);
            }

            await using var cmd = _db.CreateCommand(sql);
            cmd.Parameters.Add(new NpgsqlParameter { Value = key });
            cmd.Parameters.Add(new NpgsqlParameter { Value = query.After ?? 0L });
            cmd.Parameters.Add(new NpgsqlParameter { Value = query.Before ?? long.MaxValue });
            cmd.Parameters.Add(new NpgsqlParameter { Value = query.Limit + 1 });
            await using var reader = await cmd.ExecuteReaderAsync();
            var rows = new List<MessageRecord>(query.Limit + 1);
            while (await reader.ReadAsync())
            {
                rows.Add(ReadMessage(reader, conversationId));
            }

            var hasMore = rows.Count > query.Limit;
            if (hasMore)
            {
                rows.RemoveAt(rows.Count - 1);
            }

            if (!forward)
            {
                rows.Reverse();
            }

            return new MessagePage(rows, hasMore);
        });
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_writers);
    }

    private const string Columns =
        "seq, sender_id, sender_username, text, sent_at, client_message_id, reply_to, edited_at, deleted";

    // Every read is of one conversation, so the row does not repeat which.
    private static MessageRecord ReadMessage(NpgsqlDataReader r, string conversationId) => new(
        conversationId,
        r.GetInt64(0),
        r.GetString(1),
        r.GetString(2),
        r.GetString(3),
        r.GetFieldValue<DateTimeOffset>(4),
        r.GetString(5),
        r.IsDBNull(6) ? null : r.GetInt64(6),
        r.IsDBNull(7) ? null : r.GetFieldValue<DateTimeOffset>(7),
        r.GetBoolean(8));

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingAppend>();
        var deferred = new List<PendingAppend>();
        var conversations = new HashSet<string>(StringComparer.Ordinal);
        var rows = 0;
        while (deferred.Count > 0 || await _queue.Reader.WaitToReadAsync())
        {
            // Wait for company only when the last batch had some: on a quiet log a lone row is
            // committed at once, and once rows arrive faster than commits the wait fills batches.
            if (_options.Linger > TimeSpan.Zero && Volatile.Read(ref _lastBatchSize) > 1)
            {
                await Task.Delay(_options.Linger);
            }

            batch.Clear();
            conversations.Clear();
            rows = 0;

            // Rows deferred last round go first so each conversation keeps its order.
            foreach (var item in deferred)
            {
                AddOrDefer(item);
            }

            deferred.RemoveAll(batch.Contains);
            while (rows < _options.MaxBatchSize && _queue.Reader.TryRead(out var item))
            {
                AddOrDefer(item);
            }

            if (batch.Count > 0)
            {
                Volatile.Write(ref _lastBatchSize, rows);
                await WriteBatchAsync(batch);
            }
        }

        void AddOrDefer(PendingAppend item)
        {
            if (conversations.Add(item.ConversationId))
            {
                batch.Add(item);
                rows += item.Messages.Count;
            }
            else if (!deferred.Contains(item))
            {
                deferred.Add(item);
            }
        }
    }

    private async Task WriteBatchAsync(List<PendingAppend> batch)
    {
        var remaining = batch;
        try
        {
            // Each round either commits every remaining row or removes at least one conflicting
            // row; the bound only guards against a conflict that cannot be found again.
            for (var round = 0; remaining.Count > 0 && round < 4; round++)
            {
                try
                {
                    var rows = remaining.SelectMany(i => i.Messages).ToList();
                    var started = Stopwatch.GetTimestamp();
                    await InsertAsync(rows);
                    _metrics?.BatchCommitted(Stopwatch.GetElapsedTime(started), rows.Count);
                    foreach (var item in remaining)
                    {
                        var last = item.Messages[^1];
                        Answer(item, new AppendOutcome(AppendStatus.Stored, last.Seq, last.SentAt));
                    }

                    LogBatchWritten(rows.Count);
                    return;
                }
                catch (PostgresException ex) when (ex.SqlState == UniqueViolation)
                {
                    var conflicts = await FindConflictsAsync(remaining);
                    foreach (var (item, outcome) in conflicts)
                    {
                        Answer(item, outcome);
                    }

                    remaining = remaining.Where(i => !conflicts.ContainsKey(i)).ToList();
                }
            }

            if (remaining.Count > 0)
            {
                throw new InvalidOperationException("A unique-key conflict in the message log could not be attributed to a row.");
            }
        }
        catch (Exception ex)
        {
            LogBatchFailed(ex, remaining.Count);
            var error = Unavailable(ex);
            foreach (var item in remaining)
            {
                _metrics?.AppendAnswered(Stopwatch.GetElapsedTime(item.QueuedAt));
                item.Completion.TrySetException(error);
            }
        }
    }

    // Measured before the answer, which lets the waiting send go on: each append is answered once.
    private void Answer(PendingAppend item, AppendOutcome outcome)
    {
        _metrics?.AppendAnswered(Stopwatch.GetElapsedTime(item.QueuedAt));
        item.Completion.TrySetResult(outcome);
    }

    private async Task InsertAsync(List<MessageRecord> rows)
    {
        const string sql = """
            INSERT INTO messages (conversation_key, seq, sender_id, sender_username, text, sent_at, client_message_id, reply_to)
            SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::bigint[])
            """;
        var keys = await _keys.GetOrCreateAsync(rows.Select(m => m.ConversationId));
        await using var cmd = _db.CreateCommand(sql);
        cmd.Parameters.Add(Array(rows, m => keys[m.ConversationId], NpgsqlDbType.Bigint));
        cmd.Parameters.Add(Array(rows, m => m.Seq, NpgsqlDbType.Bigint));
        cmd.Parameters.Add(Array(rows, m => m.SenderId, NpgsqlDbType.Text));
        cmd.Parameters.Add(Array(rows, m => m.SenderUsername, NpgsqlDbType.Text));
        cmd.Parameters.Add(Array(rows, m => m.Text, NpgsqlDbType.Text));
        cmd.Parameters.Add(Array(rows, m => m.SentAt, NpgsqlDbType.TimestampTz));
        cmd.Parameters.Add(Array(rows, m => m.ClientMessageId, NpgsqlDbType.Text));
        cmd.Parameters.Add(Array(rows, m => m.ReplyTo, NpgsqlDbType.Bigint));
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// After a unique violation, finds which appends collided with stored rows. For a single row:
    /// same sender and client message id is a repeat (answer the stored seq); same seq is a stale
    /// activation. An append of several rows only learns that it collided.
    /// </summary>
    private async Task<Dictionary<PendingAppend, AppendOutcome>> FindConflictsAsync(List<PendingAppend> appends)
    {
        const string sql = """
            SELECT b.i, m.seq, m.sent_at, (m.sender_id = b.sender_id AND m.client_message_id = b.client_message_id) AS repeat
            FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) WITH ORDINALITY AS b(conversation_key, seq, sender_id, client_message_id, i)
            JOIN messages m ON m.conversation_key = b.conversation_key
                AND (m.seq = b.seq OR (m.sender_id = b.sender_id AND m.client_message_id = b.client_message_id))
            """;
        var rows = new List<MessageRecord>();
        var appendOfRow = new List<PendingAppend>();
        foreach (var append in appends)
        {
            rows.AddRange(append.Messages);
            appendOfRow.AddRange(Enumerable.Repeat(append, append.Messages.Count));
        }

        var keys = await _keys.GetOrCreateAsync(rows.Select(m => m.ConversationId));
        await using var cmd = _db.CreateCommand(sql);
        cmd.Parameters.Add(Array(rows, m => keys[m.ConversationId], NpgsqlDbType.Bigint));
        cmd.Parameters.Add(Array(rows, m => m.Seq, NpgsqlDbType.Bigint));
        cmd.Parameters.Add(Array(rows, m => m.SenderId, NpgsqlDbType.Text));
        cmd.Parameters.Add(Array(rows, m => m.ClientMessageId, NpgsqlDbType.Text));
        await using var reader = await cmd.ExecuteReaderAsync();
        var conflicts = new Dictionary<PendingAppend, AppendOutcome>();
        while (await reader.ReadAsync())
        {
            var index = (int)reader.GetInt64(0) - 1;
            var append = appendOfRow[index];
            var row = rows[index];
            var outcome = append.Messages.Count > 1
                ? new AppendOutcome(AppendStatus.Collided, row.Seq, row.SentAt)
                : reader.GetBoolean(3)
                    ? new AppendOutcome(AppendStatus.Duplicate, reader.GetInt64(1), reader.GetFieldValue<DateTimeOffset>(2))
                    : new AppendOutcome(AppendStatus.SeqTaken, row.Seq, row.SentAt);

            // A repeat wins over a seq clash: the sender's message is stored either way.
            if (!conflicts.TryGetValue(append, out var seen) || seen.Status != AppendStatus.Duplicate)
            {
                conflicts[append] = outcome;
            }
        }

        return conflicts;
    }

    private static NpgsqlParameter Array<T>(List<MessageRecord> rows, Func<MessageRecord, T> pick, NpgsqlDbType type) =>
        new() { NpgsqlDbType = NpgsqlDbType.Array | type, Value = rows.Select(pick).ToArray() };

    private async Task<T> GuardAsync<T>(Func<Task<T>> query)
    {
        try
        {
            return await query();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            LogQueryFailed(ex);
            throw Unavailable(ex);
        }
    }

    private static MessengerException Unavailable(Exception cause) =>
        new(ErrorCodes.Unavailable, $"The message store is unavailable ({cause.GetType().Name}).");

    [LoggerMessage(Level = LogLevel.Debug, Message = "Message log committed {Count} rows")]
    private partial void LogBatchWritten(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message log batch of {Count} rows failed; nothing of it is acknowledged")]
    private partial void LogBatchFailed(Exception ex, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message log query failed")]
    private partial void LogQueryFailed(Exception ex);

    private sealed class PendingAppend(IReadOnlyList<MessageRecord> messages)
    {
        public IReadOnlyList<MessageRecord> Messages { get; } = messages;

        public string ConversationId => Messages[0].ConversationId;

        public long QueuedAt { get; } = Stopwatch.GetTimestamp();

        public TaskCompletionSource<AppendOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
