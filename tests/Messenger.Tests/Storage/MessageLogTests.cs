using System.Diagnostics.Metrics;
using Messenger.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Messenger.Tests.Storage;

/// <summary>
/// The group-commit writer: appends of several rows are stored whole or not at all, and its wait
/// for company happens only when the log is busy.
/// </summary>
public sealed class MessageLogTests
{
    [Fact]
    public async Task LoneSend_OnAQuietLog_IsStoredWithoutWaitingForCompany()
    {
        await using var db = NpgsqlDataSource.Create(await (await PostgresServer.Shared).CreateDatabaseAsync());
        var options = new MessageLogOptions { Linger = TimeSpan.FromSeconds(30) };
        await using var log = new MessageLog(db, Options.Create(options), new FakeLogger<MessageLog>());

        // Far sooner than the 30 s wait: a quiet log has no company to wait for.
        var outcome = await log.AppendAsync([Message("d_quiet")]).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(AppendStatus.Stored, outcome.Status);
        Assert.Equal(1, (await log.GetLastAsync("d_quiet"))?.Seq);
    }

    [Fact]
    public async Task BusyLog_GathersRowsArrivingApart_IntoOneCommit()
    {
        await using var db = NpgsqlDataSource.Create(await (await PostgresServer.Shared).CreateDatabaseAsync());
        var logger = new FakeLogger<MessageLog>();
        var options = new MessageLogOptions { Writers = 1, Linger = TimeSpan.FromSeconds(1) };
        await using var log = new MessageLog(db, Options.Create(options), logger);

        // Busy: a burst whose last commit held several rows. How a burst splits depends on when
        // the writer wakes, so bursts repeat until one ends that way.
        for (var burst = 0; Batches(logger).LastOrDefault() <= 1; burst++)
        {
            Assert.True(burst < 10, "Ten bursts of 20 rows never ended in a commit of several rows.");
            await Task.WhenAll(Enumerable.Range(0, 20).Select(i => log.AppendAsync([Message($"d_burst{burst}_{i}")])));
        }

        var before = Batches(logger).Count;
        var spaced = new List<Task<AppendOutcome>>();
        for (var i = 0; i < 10; i++)
        {
            spaced.Add(log.AppendAsync([Message($"d_spaced_{i}")]));
            await Task.Delay(10);
        }

        var outcomes = await Task.WhenAll(spaced);

        Assert.All(outcomes, o => Assert.Equal(AppendStatus.Stored, o.Status));

        // Written as they came, ten rows 10 ms apart would be ten commits.
        var commits = Batches(logger).Skip(before).ToList();
        Assert.True(commits.Count <= 3, $"Ten rows took {commits.Count} commits: {string.Join(", ", commits)} rows.");
    }

    [Fact]
    public async Task AppendOfSeveralRows_WithOneRepeat_StoresNoneOfThem_ThenAllWithoutIt()
    {
        await using var db = NpgsqlDataSource.Create(await (await PostgresServer.Shared).CreateDatabaseAsync());
        await using var log = new MessageLog(db, Options.Create(new MessageLogOptions()), new FakeLogger<MessageLog>());
        var first = Message("d_several");
        Assert.Equal(AppendStatus.Stored, (await log.AppendAsync([first])).Status);

        // Seq 3 repeats the first message's client message id: the whole append collides.
        var collided = await log.AppendAsync([Message("d_several", 2), first with { Seq = 3 }, Message("d_several", 4)]);

        Assert.Equal(AppendStatus.Collided, collided.Status);
        Assert.Equal(1, (await log.GetLastAsync("d_several"))?.Seq);

        var stored = await log.AppendAsync([Message("d_several", 2), Message("d_several", 3)]);

        Assert.Equal(AppendStatus.Stored, stored.Status);
        Assert.Equal(3, stored.Seq);
        var page = await log.ReadAsync("d_several", new HistoryQuery(0, null, 10));
        Assert.Equal([1L, 2L, 3L], page.Messages.Select(m => m.Seq));
    }

    [Fact]
    public async Task Metrics_TellEachAppendsWait_AndEachCommitsRows()
    {
        await using var db = NpgsqlDataSource.Create(await (await PostgresServer.Shared).CreateDatabaseAsync());
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var appends = new MetricCollector<double>(meters, MessageLogMetrics.MeterName, "messenger.message_log.append.duration");
        using var batches = new MetricCollector<int>(meters, MessageLogMetrics.MeterName, "messenger.message_log.batch.rows");
        await using var log = new MessageLog(db, Options.Create(new MessageLogOptions()), new FakeLogger<MessageLog>(), new MessageLogMetrics(meters));
        var first = Message("d_metrics");

        await log.AppendAsync([first, Message("d_metrics", 2), Message("d_metrics", 3)]);
        var repeat = await log.AppendAsync([first]);

        // The repeat is answered from the stored row: an append measured, no batch committed.
        Assert.Equal(AppendStatus.Duplicate, repeat.Status);
        Assert.Equal(2, appends.GetMeasurementSnapshot().Count);
        Assert.All(appends.GetMeasurementSnapshot(), m => Assert.InRange(m.Value, 0, 10_000));
        Assert.Equal([3], batches.GetMeasurementSnapshot().Select(m => m.Value));
    }

    /// <summary>Rows per committed batch, oldest first, from the log's debug records.</summary>
    private static List<int> Batches(FakeLogger<MessageLog> logger) => logger.Collector.GetSnapshot()
        .Where(r => r.Message.StartsWith("Message log committed", StringComparison.Ordinal))
        .Select(r => int.Parse(r.GetStructuredStateValue("Count")!, System.Globalization.CultureInfo.InvariantCulture))
        .ToList();

    /// <summary>A message with a fresh client message id; by default the first of its conversation.</summary>
    private static MessageRecord Message(string conversationId, long seq = 1) => new(
        conversationId, seq, "u_sender", "sender", "hello", DateTimeOffset.UtcNow, $"m-{Guid.NewGuid():N}",
        ReplyTo: null, EditedAt: null, Deleted: false);
}
