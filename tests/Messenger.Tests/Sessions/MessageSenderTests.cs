using System.Collections.Concurrent;
using Messenger.ClientApi.Sessions;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace Messenger.Tests.Sessions;

/// <summary>
/// The ClientApi's send path while a silo of a three-silo TestingHost cluster stops, gracefully
/// or not, under sustained sends: every send gets an answer rather than waiting out the response
/// timeout, none is turned away with an error during a graceful stop, and nothing is lost or
/// stored twice. The cluster is the test's own, because it loses a silo.
/// </summary>
public sealed class MessageSenderTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _cluster = await ClusterFixture.DeployAsync(silos: 3, await (await PostgresServer.Shared).CreateDatabaseAsync());
    }

    public async Task DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task ASiloStoppingGracefully_FailsNoSend_AndLosesNothing()
    {
        var run = await SendAcrossAsync(silo => _cluster.StopSiloAsync(silo));

        Assert.True(run.Failures.IsEmpty, string.Join(Environment.NewLine, run.Failures));
        Assert.True(run.Refused.IsEmpty, string.Join(Environment.NewLine, run.Refused));
        Assert.Equal(0, run.TimedOut);
        await AssertStoredOnceInOrderAsync(run);
    }

    [Fact]
    public async Task ASiloStoppedWithoutGrace_AnswersEverySend_AndLosesNothing()
    {
        // TestingHost's "kill" of an in-process silo still shuts it down in order, so it does not
        // lose calls the way kill -9 does (FailoverTests covers that with real processes); this
        // checks the repeats keep every send answered and stored once when the stop is cut short.
        var run = await SendAcrossAsync(silo => _cluster.KillSiloAsync(silo));

        Assert.True(run.Failures.IsEmpty, string.Join(Environment.NewLine, run.Failures));
        Assert.Equal(0, run.TimedOut);
        await AssertStoredOnceInOrderAsync(run);
    }

    /// <summary>
    /// 24 conversations send back to back through <see cref="MessageSender"/> while one silo is
    /// lost, so sends keep reaching conversations as the silo goes. A send refused as
    /// unavailable (the silo is dead but not yet declared so) or timed out is sent again, as a
    /// client does (PROTOCOL.md); both are counted. Any other error ends that conversation's sends.
    /// </summary>
    private async Task<SendRun> SendAcrossAsync(Func<SiloHandle, Task> loseSilo)
    {
        var watcher = _cluster.Client.ServiceProvider.GetRequiredService<ClusterConnectionWatcher>();
        var pushes = new PushDispatcher(new SessionRegistry(), new FrameSerializer(Options.Create(new JsonOptions())), new MessagePushOrder(TimeProvider.System), NullLogger<PushDispatcher>.Instance);
        var sender = new MessageSender(
            new GrainReferences(_cluster.Client), new LostCallRepeater(watcher), new ClientApiIdentity(new ConfigurationBuilder().Build()), pushes, NullLogger<MessageSender>.Instance);
        var conversations = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => _cluster.Client.NewGroupAsync(members: 1)));
        var run = new SendRun(conversations);
        using var stop = new CancellationTokenSource();

        var senders = conversations.Select(c => Task.Run(async () =>
        {
            var id = c.Grain.GetPrimaryKeyString();
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                while (!run.Acknowledged.ContainsKey((id, $"m-{n}")))
                {
                    try
                    {
                        var result = await sender.SendAsync(id, new SendMessageCommand(c.Owner.UserId, $"m-{n}", $"message {n}", null));
                        run.Acknowledged[(id, $"m-{n}")] = result.Seq;
                    }
                    catch (TimeoutException)
                    {
                        Interlocked.Increment(ref run.TimedOut);
                    }
                    catch (OrleansMessageRejectionException ex)
                    {
                        run.Refused.Enqueue($"{id} m-{n}: {ex.GetType().Name}: {ex.Message}");
                        await Task.Delay(100);
                    }
                    catch (Exception ex)
                    {
                        run.Failures.Enqueue($"{id} m-{n}: {ex.GetType().Name}: {ex.Message}");
                        return;
                    }
                }
            }
        })).ToList();

        await Eventually.TrueAsync(() => run.Acknowledged.Count >= 200, "some messages before the silo goes", TimeSpan.FromSeconds(60));
        await loseSilo(_cluster.SecondarySilos[0]);
        var afterLoss = run.Acknowledged.Count;
        await Eventually.TrueAsync(() => run.Acknowledged.Count >= afterLoss + 200, "sends after the silo went", TimeSpan.FromSeconds(90));
        await stop.CancelAsync();
        await Task.WhenAll(senders);

        output.WriteLine($"{run.Acknowledged.Count} sends acknowledged; {run.Refused.Count} refused and {run.TimedOut} timed out, each sent again");
        return run;
    }

    /// <summary>Every acknowledged send is stored once, at its acknowledged seq, with no gap.</summary>
    private static async Task AssertStoredOnceInOrderAsync(SendRun run)
    {
        foreach (var (grain, owner, _) in run.Conversations)
        {
            var id = grain.GetPrimaryKeyString();
            var sent = run.Acknowledged.Keys.Count(k => k.Conversation == id);
            var stored = new List<MessageRecord>();
            for (var page = await grain.GetMessages(owner.UserId, new HistoryQuery(0, null, 200)); page.Messages.Count > 0;
                 page = await grain.GetMessages(owner.UserId, new HistoryQuery(stored[^1].Seq, null, 200)))
            {
                stored.AddRange(page.Messages);
            }

            Assert.Equal(Enumerable.Range(1, sent).Select(s => (long)s), stored.Select(m => m.Seq));
            Assert.All(stored, m => Assert.Equal(run.Acknowledged[(id, m.ClientMessageId)], m.Seq));
        }
    }

    private sealed class SendRun(IReadOnlyList<(IConversationGrain Grain, UserProfile Owner, UserProfile[] Members)> conversations)
    {
        public IReadOnlyList<(IConversationGrain Grain, UserProfile Owner, UserProfile[] Members)> Conversations { get; } = conversations;
        public ConcurrentDictionary<(string Conversation, string ClientMessageId), long> Acknowledged { get; } = new();
        public ConcurrentQueue<string> Failures { get; } = new();
        public ConcurrentQueue<string> Refused { get; } = new();
        public int TimedOut;
    }
}
