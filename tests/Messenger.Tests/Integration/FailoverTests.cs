using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace Messenger.Tests.Integration;

/// <summary>
/// Real processes killed (kill -9) or restarted under load: nothing acknowledged is lost, seqs
/// stay gap-free, pushes resume, users carry on elsewhere.
/// </summary>
public sealed class FailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task KillingASilo_PushesResumeOnSocketsThatStayedOpen()
    {
        await using var cluster = await ProcessCluster.StartAsync(silos: 2);
        var users = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => RealUser.CreateAsync(cluster.ClientApiUrl)));
        await cluster.WaitUntilAsync(async _ => await cluster.ActiveSilosAsync(users[0].Token) == 2, "two active silos");
        var pairs = Enumerable.Range(0, 4).Select(i => (Sender: users[2 * i], Receiver: users[(2 * i) + 1])).ToArray();
        var conversations = await Task.WhenAll(pairs.Select(p => p.Sender.DirectWithAsync(p.Receiver)));
        var sockets = await Task.WhenAll(pairs.Select(p => p.Receiver.ConnectAsync()));
        try
        {
            foreach (var socket in sockets)
            {
                await socket.NextAsync("ready");
            }

            for (var i = 0; i < pairs.Length; i++)
            {
                await pairs[i].Sender.SendAsync(conversations[i], "before", "before");
                await sockets[i].NextAsync("message", m => m.GetProperty("clientMessageId").GetString() == "before");
            }

            var killed = Stopwatch.StartNew();
            output.WriteLine($"killing silo-0 at {DateTime.Now:HH:mm:ss.fff}");
            cluster.Kill("silo-0");

            // Each sender writes on after the kill (every send retried until acknowledged) until
            // its receiver, whose socket never reconnected, gets one of those messages pushed.
            // A push queued on the dead silo may be lost (catch-up repairs that); pushes must flow again.
            var resumed = await Task.WhenAll(pairs.Select(async (pair, i) =>
            {
                // One long wait per socket: cancelling a pending receive would abort the socket.
                var pushed = sockets[i].NextAsync("message", m => m.GetProperty("clientMessageId").GetString()!.StartsWith("after-", StringComparison.Ordinal), TimeSpan.FromSeconds(50))
                    .ContinueWith(t => (Frame: t.Result, At: killed.Elapsed), TaskScheduler.Default);
                for (var n = 0; !pushed.IsCompleted && killed.Elapsed < TimeSpan.FromSeconds(45); n++)
                {
                    await pair.Sender.SendWithRetriesAsync(conversations[i], $"after {n}", $"after-{n}", TimeSpan.FromSeconds(45));
                    await Task.WhenAny(pushed, Task.Delay(500));
                }

                return (await pushed).At;
            }));
            output.WriteLine($"pushes flowing again {resumed.Max().TotalSeconds:F1} s after the kill (worst of {pairs.Length} sockets)");
        }
        catch (TimeoutException)
        {
            output.WriteLine("--- silo-1\n" + cluster.Log("silo-1", 300) + "\n--- clientapi-0\n" + cluster.Log("clientapi-0", 200));
            throw;
        }
        finally
        {
            foreach (var socket in sockets)
            {
                await socket.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task KillingASilo_NoSendWaitsOutTheResponseTimeout_AndNothingIsLost()
    {
        await using var cluster = await ProcessCluster.StartAsync(silos: 2);
        var direct = await DirectPairs.CreateAsync(cluster, count: 12);

        var run = await SendAcrossAKillAsync(cluster, direct, "silo-1");

        Assert.True(run.WaitedOut.IsEmpty, $"{string.Join(Environment.NewLine, run.WaitedOut)}\n--- clientapi-0:\n{cluster.Log("clientapi-0", 60)}");
        await direct.AssertStoredAsAcknowledgedAsync(run.Acknowledged);
    }

    [Fact]
    public async Task KillingASiloWithoutAGateway_NoSendToItsConversationsWaitsOutTheResponseTimeout()
    {
        // The ClientApi reaches silo-1's grains only through silo-0's gateway, so no gateway of
        // its own closes when silo-1 dies: the sends lost with silo-1 are found by the membership
        // (SiloDeathWatcher). Without it each one waited the full 10 s.
        await using var cluster = await ProcessCluster.CreateEmptyAsync();
        cluster.StartSilo("silo-0");
        cluster.StartSilo("silo-1", gateway: false);
        await cluster.StartClientApiAsync("clientapi-0");
        var direct = await DirectPairs.CreateAsync(cluster, count: 12);
        var greetings = new ConcurrentDictionary<(string Conversation, string ClientMessageId), long>();

        // Placement decides where a conversation lives; more pairs until silo-1 has some.
        for (var round = 0; await ConversationsOnSilo1Async() < 3; round++)
        {
            Assert.True(round < 20, "silo-1 got no conversations to lose");
            await Task.Delay(1000);
            var more = await DirectPairs.CreateAsync(cluster, count: 12);
            direct = new DirectPairs([.. direct.Pairs, .. more.Pairs], [.. direct.Conversations, .. more.Conversations]);
        }

        output.WriteLine($"{await ConversationsOnSilo1Async()} of {direct.Conversations.Length} conversations on silo-1");
        var run = await SendAcrossAKillAsync(cluster, direct, "silo-1");

        Assert.True(run.WaitedOut.IsEmpty, $"{string.Join(Environment.NewLine, run.WaitedOut)}\n--- clientapi-0:\n{cluster.Log("clientapi-0", 60)}");
        // The sends may all be answered before the ClientApi's next look at the membership.
        await Eventually.TrueAsync(() => cluster.CountLogLines("clientapi-0", "declared dead") > 0, "the ClientApi to see silo-1 declared dead", TimeSpan.FromSeconds(20));
        await direct.AssertStoredAsAcknowledgedAsync(new Dictionary<(string, string), long>([.. run.Acknowledged, .. greetings]));

        async Task<int> ConversationsOnSilo1Async()
        {
            // A conversation is placed when its first message arrives.
            await Task.WhenAll(direct.Pairs.Select(async (p, i) =>
                greetings[(direct.Conversations[i], "hello")] = await p.Sender.SendAsync(direct.Conversations[i], "hello", "hello")));
            return await cluster.GrainsOnSiloAsync(direct.Pairs[0].Sender.Token, "silo-1", "ConversationGrain");
        }
    }

    /// <summary>
    /// Every pair sends back to back, each send repeated until acknowledged as a client does,
    /// while <paramref name="silo"/> is killed. A send whose call was waiting on the killed silo
    /// must be answered (stored, or refused as unreachable and retried), not left to wait out the
    /// ClientApi's 10 s response timeout; those that were are listed in WaitedOut.
    /// </summary>
    private async Task<KillRun> SendAcrossAKillAsync(ProcessCluster cluster, DirectPairs direct, string silo)
    {
        var (pairs, conversations) = (direct.Pairs, direct.Conversations);
        var run = new KillRun();
        using var stop = new CancellationTokenSource();
        var senders = pairs.Select((pair, i) => Task.Run(async () =>
        {
            var sinceAck = Stopwatch.StartNew();
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                while (true)
                {
                    try
                    {
                        run.Acknowledged[(conversations[i], $"m-{n}")] = await pair.Sender.SendAsync(conversations[i], $"message {n}", $"m-{n}");
                        run.NoteWait(sinceAck.Elapsed);
                        sinceAck.Restart();
                        break;
                    }
                    catch (HttpRequestException ex) when (ex.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
                    {
                        if (ex.Message.Contains("did not answer in time", StringComparison.Ordinal))
                        {
                            run.WaitedOut.Enqueue($"{DateTime.Now:HH:mm:ss.fff} {conversations[i]} m-{n}: {ex.Message}");
                        }

                        Interlocked.Increment(ref run.Refused);
                        await Task.Delay(100);
                    }
                }

                await Task.Delay(10);
            }
        })).ToList();

        var before = run.Acknowledged.Count;
        await Eventually.TrueAsync(() => run.Acknowledged.Count >= before + (10 * pairs.Length), "some messages before the kill", TimeSpan.FromSeconds(60));
        var atKill = conversations.ToDictionary(c => c, c => run.Acknowledged.Keys.Count(k => k.Conversation == c));
        output.WriteLine($"killing {silo} at {DateTime.Now:HH:mm:ss.fff}");
        cluster.Kill(silo);
        await Eventually.TrueAsync(
            () => conversations.All(c => run.Acknowledged.Keys.Count(k => k.Conversation == c) >= atKill[c] + 10),
            "every conversation sending again after the kill",
            TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await Task.WhenAll(senders);

        output.WriteLine($"{run.Acknowledged.Count} sends acknowledged; {run.Refused} answers of 503 retried; longest wait for an ack {run.LongestWait.TotalSeconds:F1} s");
        return run;
    }

    private sealed class KillRun
    {
        public ConcurrentDictionary<(string Conversation, string ClientMessageId), long> Acknowledged { get; } = new();
        public ConcurrentQueue<string> WaitedOut { get; } = new();
        public int Refused;
        private long _longestWaitTicks;

        /// <summary>The longest one conversation went without an ack, retries included.</summary>
        public TimeSpan LongestWait => TimeSpan.FromTicks(Interlocked.Read(ref _longestWaitTicks));

        public void NoteWait(TimeSpan wait)
        {
            for (var longest = Interlocked.Read(ref _longestWaitTicks); wait.Ticks > longest;)
            {
                var seen = Interlocked.CompareExchange(ref _longestWaitTicks, wait.Ticks, longest);
                if (seen == longest)
                {
                    return;
                }

                longest = seen;
            }
        }
    }

    [Fact]
    public async Task RollingRestartOfEverySilo_UnderLoad_NoSendFailsAfterRetries()
    {
        await using var cluster = await ProcessCluster.StartAsync(silos: 2);
        var direct = await DirectPairs.CreateAsync(cluster, count: 4);
        var (pairs, conversations) = (direct.Pairs, direct.Conversations);
        var acknowledged = new ConcurrentDictionary<(string Conversation, string ClientMessageId), long>();
        using var restarting = new CancellationTokenSource();

        var senders = pairs.Select((pair, i) => Task.Run(async () =>
        {
            for (var n = 0; !restarting.IsCancellationRequested || n < 20; n++)
            {
                acknowledged[(conversations[i], $"m-{n}")] = await pair.Sender.SendWithRetriesAsync(conversations[i], $"message {n}", $"m-{n}", TimeSpan.FromSeconds(60));
                await Task.Delay(25);
            }
        })).ToList();

        foreach (var silo in new[] { "silo-0", "silo-1" })
        {
            Assert.Equal(0, await cluster.TerminateAsync(silo));
            cluster.RestartSilo(silo);
            await cluster.WaitUntilAsync(async _ => await cluster.ActiveSilosAsync(pairs[0].Sender.Token) == 2, $"{silo} back and active");
        }

        await restarting.CancelAsync();
        await Task.WhenAll(senders);

        await direct.AssertStoredAsAcknowledgedAsync(acknowledged);
    }

    [Fact]
    public async Task KillingAClientApi_ItsUsersCatchUpOnAnother_AndOnesWhoDoNotReturnTurnOffline()
    {
        await using var cluster = await ProcessCluster.StartAsync(silos: 2, clientApis: 2);
        var alice = await RealUser.CreateAsync(cluster.ClientApiUrls[0]);
        var dave = await RealUser.CreateAsync(cluster.ClientApiUrls[0]);
        var bob = await RealUser.CreateAsync(cluster.ClientApiUrls[1]);
        var conversation = await bob.DirectWithAsync(alice);
        (await bob.Http.PutAsync($"/api/v1/contacts/{dave.Username}", null)).EnsureSuccessStatusCode();
        (await dave.Http.PutAsync($"/api/v1/contacts/{bob.Username}", null)).EnsureSuccessStatusCode();

        var aliceSocket = await alice.ConnectAsync();
        var daveSocket = await dave.ConnectAsync();
        await aliceSocket.NextAsync("ready");
        await daveSocket.NextAsync("ready");
        await Eventually.TrueAsync(async () => await PresenceOfAsync(bob, dave) == "online", "dave online to bob");

        // Bob keeps writing to Alice while her ClientApi dies under her.
        using var writing = new CancellationTokenSource();
        var sent = 0;
        var writer = Task.Run(async () =>
        {
            for (; !writing.IsCancellationRequested || sent < 30; sent++)
            {
                await bob.SendWithRetriesAsync(conversation, $"message {sent}", $"m-{sent}", TimeSpan.FromSeconds(30));
                await Task.Delay(20);
            }
        });

        var seen = new HashSet<long>();
        for (var i = 0; i < 10; i++)
        {
            seen.Add((await aliceSocket.NextAsync("message")).GetProperty("seq").GetInt64());
        }

        cluster.Kill("clientapi-0");
        await aliceSocket.DrainAsync(TimeSpan.FromSeconds(10));
        seen.UnionWith(aliceSocket.Unread("message").Select(m => m.GetProperty("seq").GetInt64()));
        await aliceSocket.DisposeAsync();
        await daveSocket.DisposeAsync();

        // Alice's app reconnects to the other instance and catches up from the last seq it has.
        var aliceElsewhere = alice.Via(cluster.ClientApiUrls[1]);
        await using var again = await aliceElsewhere.ConnectAsync();
        var ready = await again.NextAsync("ready");
        await writing.CancelAsync();
        await writer;
        var lastSeen = seen.Max();
        var caughtUp = new List<long>();
        for (var more = true; more;)
        {
            var page = await aliceElsewhere.Http.GetFromJsonAsync<JsonElement>($"/api/v1/conversations/{conversation}/messages?after={Math.Max(lastSeen, caughtUp.LastOrDefault())}&limit=200");
            caughtUp.AddRange(page.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()));
            more = page.GetProperty("hasMore").GetBoolean();
        }

        // Every message in what she has, and none twice: pushed before the kill, or caught up.
        Assert.Equal(Enumerable.Range(1, sent).Select(s => (long)s), seen.Where(s => s <= lastSeen).Order().Concat(caughtUp));
        Assert.True(ready.GetProperty("conversations").EnumerateArray().Any(c => c.GetProperty("conversationId").GetString() == conversation),
            "ready lists the conversation so the app knows to catch up");

        // Dave never came back: his session's lease runs out and Bob sees him offline.
        var killedAt = Stopwatch.StartNew();
        await Eventually.TrueAsync(async () => await PresenceOfAsync(bob, dave) == "offline", "dave offline to bob after his lease", TimeSpan.FromSeconds(90));
        output.WriteLine($"offline {killedAt.Elapsed.TotalSeconds:F0} s after the catch-up (lease {Messenger.Grains.Interfaces.Models.SessionLeases.Duration.TotalSeconds:F0} s)");
    }

    private static async Task<string?> PresenceOfAsync(RealUser viewer, RealUser contact)
    {
        var contacts = await viewer.Http.GetFromJsonAsync<JsonElement>("/api/v1/contacts");
        return contacts.EnumerateArray()
            .Where(c => c.GetProperty("username").GetString() == contact.Username)
            .Select(c => c.TryGetProperty("presence", out var p) && p.ValueKind == JsonValueKind.Object ? p.GetProperty("status").GetString() : null)
            .FirstOrDefault();
    }
}
