using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using Xunit.Abstractions;

namespace Messenger.Tests.Integration;

/// <summary>
/// SIGTERM of a real process under load, as an operator or orchestrator stops one: it drains,
/// and no error reaches a client.
/// </summary>
public sealed class GracefulStopTests(ITestOutputHelper output)
{
    [Fact]
    public async Task StoppingAClientApi_ClosesItsSocketsWithGoingAway_AndEverySendLandsAfterReconnecting()
    {
        await using var cluster = await ProcessCluster.StartAsync(silos: 2, clientApis: 2);
        var alice = await RealUser.CreateAsync(cluster.ClientApiUrls[0]);
        var bob = await RealUser.CreateAsync(cluster.ClientApiUrls[1]);
        var conversation = await alice.DirectWithAsync(bob);
        await using var socket = await alice.ConnectAsync();
        await socket.NextAsync("ready");

        // A warm-up round trip, then sends stream out without waiting for acks while the
        // ClientApi is told to stop: some are in flight when the drain begins.
        var sent = 0;
        for (; sent < 20; sent++)
        {
            await socket.SendJsonAsync(SendFrame(conversation, sent));
        }

        for (var i = 0; i < 20; i++)
        {
            await socket.NextAsync("ack");
        }

        var stopwatch = Stopwatch.StartNew();
        var stopping = cluster.TerminateAsync("clientapi-0");
        try
        {
            while (!stopping.IsCompleted && sent < 180)
            {
                await socket.SendJsonAsync(SendFrame(conversation, sent));
                sent++;
                await Task.Delay(2);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or InvalidOperationException)
        {
            // The server closed the socket; what was not acknowledged is sent again below.
        }

        await socket.DrainAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, await stopping);
        output.WriteLine($"ClientApi exited {stopwatch.Elapsed.TotalSeconds:F1} s after SIGTERM");
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, socket.CloseStatus);
        Assert.Empty(socket.Unread("error"));
        var acked = socket.Unread("ack").ToDictionary(a => a.GetProperty("ref").GetString()!, a => a.GetProperty("seq").GetInt64());
        output.WriteLine($"{sent} sends, {acked.Count + 20} acknowledged before the close");

        // The app reconnects to the other instance and sends again whatever was not acknowledged.
        var aliceElsewhere = alice.Via(cluster.ClientApiUrls[1]);
        await using var again = await aliceElsewhere.ConnectAsync();
        await again.NextAsync("ready");
        for (var n = 20; n < sent; n++)
        {
            var seq = await aliceElsewhere.SendWithRetriesAsync(conversation, $"message {n}", $"m-{n}", TimeSpan.FromSeconds(30));
            if (acked.TryGetValue($"r{n}", out var ackedSeq))
            {
                Assert.Equal(ackedSeq, seq);
            }
        }

        var stored = await bob.HistoryAsync(conversation);
        Assert.Equal(Enumerable.Range(1, sent).Select(s => (long)s), stored.Select(m => m.GetProperty("seq").GetInt64()));
        Assert.Equal(sent, stored.Select(m => m.GetProperty("clientMessageId").GetString()).Distinct().Count());
    }

    [Fact]
    public async Task StoppingASiloUnderLoad_NoSendFails_AndNothingIsLost()
    {
        await using var cluster = await ProcessCluster.StartAsync(silos: 2);
        var direct = await DirectPairs.CreateAsync(cluster, count: 12);
        var (pairs, conversations) = (direct.Pairs, direct.Conversations);
        var acknowledged = new ConcurrentDictionary<(string Conversation, string ClientMessageId), long>();
        var failures = new ConcurrentQueue<string>();
        var slowest = new ConcurrentBag<double>();
        const int perConversation = 60;

        // No retries: with a graceful stop, every send must succeed the first time.
        var senders = pairs.Select((pair, i) => Task.Run(async () =>
        {
            for (var n = 0; n < perConversation; n++)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    acknowledged[(conversations[i], $"m-{n}")] = await pair.Sender.SendAsync(conversations[i], $"message {n}", $"m-{n}");
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    failures.Enqueue($"{conversations[i]} m-{n}: {ex.Message}");
                    return;
                }

                slowest.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                await Task.Delay(10);
            }
        })).ToList();

        await Eventually.TrueAsync(() => acknowledged.Count >= 60, "some messages before the stop", TimeSpan.FromSeconds(60));
        var stopwatch = Stopwatch.StartNew();
        var exitCode = await cluster.TerminateAsync("silo-1");
        output.WriteLine($"silo exited {stopwatch.Elapsed.TotalSeconds:F1} s after SIGTERM");
        await Task.WhenAll(senders);

        // Each failure in full: xunit cuts a collection's items short, and the reason is the point.
        Assert.True(failures.IsEmpty, $"{string.Join(Environment.NewLine, failures)}\n--- clientapi-0:\n{cluster.Log("clientapi-0", 60)}\n--- silo-1:\n{cluster.Log("silo-1", 60)}");
        Assert.Equal(0, exitCode);
        output.WriteLine($"longest send during the stop: {slowest.Max():F0} ms");
        Assert.All(conversations, c => Assert.Equal(perConversation, acknowledged.Keys.Count(k => k.Conversation == c)));
        await direct.AssertStoredAsAcknowledgedAsync(acknowledged);
    }

    [Fact]
    public async Task StoppingSilosSoonAfterAClientApiDied_NeitherWaitsOnTheDeadClientApi()
    {
        await using var cluster = await ProcessCluster.StartAsync(silos: 2, clientApis: 2);
        var alice = await RealUser.CreateAsync(cluster.ClientApiUrls[0]);
        var bob = await RealUser.CreateAsync(cluster.ClientApiUrls[1]);
        await cluster.WaitUntilAsync(async _ => await cluster.ActiveSilosAsync(alice.Token) == 2, "two active silos");
        var conversation = await alice.DirectWithAsync(bob);
        await using (var bobSocket = await bob.ConnectAsync())
        {
            await bobSocket.NextAsync("ready");
            cluster.Kill("clientapi-1");
        }

        // Until its lease runs out the silos still push every event to the dead ClientApi's
        // stream, and a pulling agent's delivery to it waits on a client that is gone.
        for (var n = 0; n < 5; n++)
        {
            await alice.SendWithRetriesAsync(conversation, $"message {n}", $"m-{n}", TimeSpan.FromSeconds(30));
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        foreach (var silo in new[] { "silo-0", "silo-1" })
        {
            var stopwatch = Stopwatch.StartNew();
            Assert.Equal(0, await cluster.TerminateAsync(silo, within: TimeSpan.FromSeconds(20)));
            output.WriteLine($"{silo} exited {stopwatch.Elapsed.TotalSeconds:F1} s after SIGTERM");
        }
    }

    private static object SendFrame(string conversationId, int n) =>
        new { type = "send", @ref = $"r{n}", conversationId, clientMessageId = $"m-{n}", text = $"message {n}" };
}
