using System.Diagnostics;
using Messenger.Bench.Chaos;
using Messenger.Bench.Client;
using Messenger.Bench.Load;
using Messenger.Bench.Report;

namespace Messenger.Bench.Scenarios;

/// <summary>
/// Fault tolerance under load (issue 4): steady, moderate traffic — pairs and small groups,
/// four sends in five over the socket and one over REST, users spread over every ClientApi —
/// while <see cref="ChaosDriver"/> kills a random silo or ClientApi every interval and has it
/// restarted. Clients behave as the protocol asks (<see cref="ChaosClient"/>). Afterwards every
/// acknowledged message is checked against the stored log (<see cref="LogCheck"/>), every user
/// must hold every stored message of their conversations exactly once, and the stalls are
/// measured (<see cref="Stalls"/>). Correctness, not speed.
/// </summary>
public static class ChaosScenario
{
    /// <summary>A send not acknowledged this long after its scheduled time counts as failed after retries.</summary>
    public static readonly TimeSpan SendDeadline = TimeSpan.FromSeconds(60);

    public static async Task<ScenarioResult> RunAsync(BenchContext context)
    {
        context.Log.Scenario("chaos");
        var settings = context.Settings;
        if (settings.PidDirectory is null || !Directory.Exists(settings.PidDirectory))
        {
            throw new InvalidOperationException("chaos needs --pid-dir: run.sh's pid folder ($MESSENGER_DATA/run), to find the processes and ask run.sh for restarts. Use bench/run.sh --chaos.");
        }

        var apis = Enumerable.Range(0, settings.ClientApis)
            .Select(i => i == 0 ? context.Api : new ApiClient(new UriBuilder(settings.Url) { Port = settings.Url.Port + i }.Uri))
            .ToList();
        var (pairs, groups, groupSize) = settings.Quick ? (20, 4, 5) : (50, 10, 6);
        var rate = settings.Rate ?? (settings.Quick ? 80 : 150);
        var duration = settings.DurationGiven ? settings.Duration : TimeSpan.FromSeconds(settings.Quick ? 90 : 180);

        var users = await context.UsersAsync((pairs * 2) + (groups * groupSize));
        var clients = users.Select((u, i) => new ChaosClient(u, i, apis)).ToArray();
        var conversations = new (string Id, int[] Members)[pairs + groups];
        await Parallel.ForEachAsync(Enumerable.Range(0, pairs + groups), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (c, _) =>
        {
            var members = c < pairs
                ? new[] { 2 * c, (2 * c) + 1 }
                : Enumerable.Range((pairs * 2) + ((c - pairs) * groupSize), groupSize).ToArray();
            var id = c < pairs
                ? await context.Api.DirectAsync(users[members[0]], users[members[1]])
                : await context.Api.GroupAsync(users[members[0]], $"chaos {c}", members.Skip(1).Select(m => users[m]));
            conversations[c] = (id, members);
        });
        foreach (var (id, members) in conversations)
        {
            foreach (var m in members)
            {
                clients[m].Follow(id);
            }
        }

        using var stopClients = new CancellationTokenSource();
        var connectLoops = await Task.WhenAll(clients.Select(c => c.StartAsync(stopClients.Token)));
        context.Log.Info($"chaos: {pairs} pairs and {groups} groups of {groupSize}, {clients.Length} users connected over {apis.Count} ClientApi(s); {rate:F0} sends/s for {duration.TotalSeconds:F0} s, a kill every {settings.ChaosInterval.TotalSeconds:F0} s");

        var tag = $"chaos{context.RunId}";
        var text = new string('x', settings.TextLength);
        var sends = new List<ChaosSend>();

        // A few quiet seconds first: JIT and first activations are not what is measured.
        var warmUp = TimeSpan.FromSeconds(settings.Quick ? 3 : 5);
        await DriveAsync(context, clients, conversations, sends, tag, text, rate, warmUp, "warm-up", null);
        var loadStarted = Stopwatch.GetTimestamp();
        var driver = new ChaosDriver(settings.PidDirectory, CountSilos(settings.PidDirectory), apis, users[0], settings.ChaosInterval, context.Log, loadStarted);
        using var stopChaos = new CancellationTokenSource();
        var chaos = driver.RunAsync(stopChaos.Token);
        var firstMeasured = sends.Count;
        await DriveAsync(context, clients, conversations, sends, tag, text, rate, duration, "chaos", driver);
        var loadSeconds = Stopwatch.GetElapsedTime(loadStarted).TotalSeconds;

        context.Log.Info("chaos: load done; waiting for the kill under way to finish, every send to end and pushes to settle");
        await stopChaos.CancelAsync();
        await chaos;
        await Task.WhenAll(sends.Select(s => s.Done));
        await SettleAsync(clients);
        foreach (var client in clients)
        {
            await client.CatchUpAllAsync();
        }

        await stopClients.CancelAsync();
        await Task.WhenAll(connectLoops.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));

        return await VerifyAsync(context, clients, conversations, sends, firstMeasured, tag, driver.Kills, loadStarted, loadSeconds, rate);
    }

    private static async Task DriveAsync(BenchContext context, ChaosClient[] clients, (string Id, int[] Members)[] conversations, List<ChaosSend> sends, string tag, string text, double rate, TimeSpan duration, string phase, ChaosDriver? driver)
    {
        var started = Stopwatch.GetTimestamp();
        var total = (long)(duration.TotalSeconds * rate);
        long issued = 0;
        var nextTick = 1.0;
        long lastAcked = CountAcked(sends), lastPushes = clients.Sum(c => c.Pushes), lastRetries = CountRetries(clients);
        while (true)
        {
            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            if (elapsed >= duration.TotalSeconds)
            {
                return;
            }

            // Open loop, as in the other scenarios: send i goes out at i / rate, answered or not.
            var due = Math.Min((long)(elapsed * rate) + 1, total);
            for (; issued < due; issued++)
            {
                var n = sends.Count;
                var conversation = conversations[n % conversations.Length];
                var turn = n / conversations.Length;
                var sender = conversation.Members[turn % conversation.Members.Length];
                var scheduled = started + (long)(issued / rate * Stopwatch.Frequency);
                var send = new ChaosSend(n, n % conversations.Length, sender, scheduled);
                send.Done = Run(clients[sender], send, conversation.Id, $"{tag}-{n}", text, overRest: n % 5 == 4);
                sends.Add(send);
            }

            if (elapsed >= nextTick)
            {
                long acked = CountAcked(sends), pushes = clients.Sum(c => c.Pushes), retries = CountRetries(clients);
                context.Log.ChaosTick(
                    phase,
                    nextTick,
                    acked - lastAcked,
                    pushes - lastPushes,
                    sends.Count(s => !s.Done.IsCompleted),
                    retries - lastRetries,
                    sends.Count(s => s.Done.IsCompleted && s.Outcome.Seq is null),
                    clients.Count(c => c.IsConnected),
                    clients.Length,
                    driver?.Kills.Count ?? 0);
                (lastAcked, lastPushes, lastRetries) = (acked, pushes, retries);
                nextTick += 1;
            }

            await Task.Delay(1);
        }
    }

    private static async Task Run(ChaosClient client, ChaosSend send, string conversationId, string clientMessageId, string text, bool overRest)
    {
        send.Outcome = await client.SendWithRetriesAsync(conversationId, clientMessageId, text, overRest, send.Scheduled, SendDeadline);
    }

    // Until no push has arrived for two seconds (at most 30 s).
    private static async Task SettleAsync(ChaosClient[] clients)
    {
        var last = -1L;
        var quietSince = Stopwatch.GetTimestamp();
        var deadline = Stopwatch.GetTimestamp() + (30 * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var pushes = clients.Sum(c => c.Pushes);
            if (pushes != last)
            {
                (last, quietSince) = (pushes, Stopwatch.GetTimestamp());
            }
            else if (Stopwatch.GetElapsedTime(quietSince).TotalSeconds >= 2)
            {
                return;
            }

            await Task.Delay(200);
        }
    }

    private static async Task<ScenarioResult> VerifyAsync(BenchContext context, ChaosClient[] clients, (string Id, int[] Members)[] conversations, List<ChaosSend> sends, int firstMeasured, string tag, IReadOnlyList<KillRecord> kills, long loadStarted, double loadSeconds, double rate)
    {
        var byConversation = sends.GroupBy(s => s.Conversation).ToDictionary(g => g.Key, g => g.ToList());
        var check = await LogCheck.RunAsync(context.Api, conversations.Select((c, i) => new CheckedConversation(
            c.Id,
            clients[c.Members[0]].User,
            (byConversation.GetValueOrDefault(i) ?? []).Select(s => new CheckedSend(
                $"{tag}-{s.Id}",
                s.Outcome.Seq,
                [.. c.Members.Select(m => clients[m].PushCount($"{tag}-{s.Id}"))])).ToList())).ToList());

        // Every user ends with every stored message of their conversations, and nothing else.
        long missingAtEnd = 0, heldNotStored = 0;
        foreach (var (id, members) in conversations)
        {
            var stored = check.Stored[id].Select(m => m.Seq).ToHashSet();
            foreach (var m in members)
            {
                var (missing, notStored) = clients[m].Compare(id, stored);
                missingAtEnd += missing;
                heldNotStored += notStored;
            }
        }

        // Stalls over the measured part (sends scheduled after the warm-up).
        var measured = sends.Skip(firstMeasured).ToList();
        var ackWindows = Stalls.OfAcks(measured.Where(s => s.Outcome.Seq is not null).Select(s => (s.Scheduled, s.Outcome.AckedAt)), loadStarted);
        // By (conversation, seq); TryAdd, because two sends acknowledged with one seq is a
        // finding to report (as lost), not a reason to crash.
        var acknowledged = new Dictionary<(string, long), (long Scheduled, long AckedAt, int Sender)>();
        foreach (var s in measured.Where(s => s.Outcome.Seq is not null))
        {
            acknowledged.TryAdd((conversations[s.Conversation].Id, s.Outcome.Seq!.Value), (s.Scheduled, s.Outcome.AckedAt, s.Sender));
        }

        var (pushWindows, connectedWindows) = Stalls.OfPushes(clients.Select((c, index) => (IReadOnlyList<(long?, long, int, long)>)c.Deliveries()
            .Where(d => !acknowledged.TryGetValue((d.ConversationId, d.Seq), out var a) || a.Sender != index)
            .Select(d => (acknowledged.TryGetValue((d.ConversationId, d.Seq), out var a) ? a.AckedAt : (long?)null, d.At, d.Socket, d.SocketUpAt))
            .ToList()), loadStarted);
        var attributed = kills.Select((k, i) =>
        {
            var next = i + 1 < kills.Count ? kills[i + 1].AtSec : double.MaxValue;
            return k with
            {
                AckStallSec = Math.Round(Stalls.After(ackWindows, k.AtSec, next), 2),
                PushStallSec = Math.Round(Stalls.After(pushWindows, k.AtSec, next), 2),
                PushStallConnectedSec = Math.Round(Stalls.After(connectedWindows, k.AtSec, next), 2),
            };
        }).ToList();

        var delivery = new LatencyRecorder();
        var ack = new LatencyRecorder();
        foreach (var s in measured.Where(s => s.Outcome.Seq is not null))
        {
            ack.Record(s.Scheduled, s.Outcome.AckedAt);
        }

        for (var index = 0; index < clients.Length; index++)
        {
            foreach (var d in clients[index].Deliveries())
            {
                if (acknowledged.TryGetValue((d.ConversationId, d.Seq), out var s) && s.Sender != index)
                {
                    delivery.Record(s.Scheduled, d.At);
                }
            }
        }

        var failed = sends.Count(s => s.Outcome.Seq is null && !s.Outcome.Rejected);
        var rejected = sends.Count(s => s.Outcome.Rejected);
        var retryReasons = clients.SelectMany(c => c.RetryReasons).GroupBy(r => r.Key).ToDictionary(g => g.Key, g => g.Sum(r => r.Value));
        var result = new ScenarioResult
        {
            Scenario = "chaos",
            SendsPerSec = Math.Round(measured.Count(s => s.Outcome.Seq is not null) / loadSeconds, 1),
            DeliveriesPerSec = Math.Round(clients.Sum(c => c.Pushes) / loadSeconds, 1),
            LatencyMs = delivery.Summary(),
            AckLatencyMs = ack.Summary(),
            Sent = sends.Count,
            Acknowledged = sends.Count(s => s.Outcome.Seq is not null),
            Lost = check.Lost + missingAtEnd + heldNotStored,
            Duplicates = check.Duplicates,
            Gaps = check.Gaps,
            Errors = retryReasons.Values.Sum(),
            ErrorsByCode = retryReasons,
            Unanswered = failed,
            PushesMissed = check.PushesMissed,
            PushesRecovered = check.PushesMissed - missingAtEnd,
            DurationSec = Math.Round(loadSeconds, 1),
            TargetRate = rate,
            Kills = attributed,
        };
        result.Extra["failedAfterRetries"] = failed;
        result.Extra["rejected"] = rejected;
        result.Extra["ackStallSec"] = Math.Round(Stalls.Longest(ackWindows), 2);
        result.Extra["pushStallSec"] = Math.Round(Stalls.Longest(pushWindows), 2);
        result.Extra["pushStallConnectedSec"] = Math.Round(Stalls.Longest(connectedWindows), 2);
        result.Extra["worstTimeToAckSec"] = Math.Round(ack.Summary().Max / 1000, 2);
        result.Extra["kills"] = kills.Count;
        result.Extra["reconnects"] = clients.Sum(c => c.Drops);
        result.Extra["lost.acknowledgedNotStored"] = check.Lost;
        result.Extra["lost.storedNotHeldAfterCatchUp"] = missingAtEnd;
        result.Extra["lost.heldNotStored"] = heldNotStored;
        result.Extra["duplicates.storedTwice"] = check.StoredTwice;
        result.Extra["duplicates.pushedTwiceOnOneSocket"] = check.PushedTwice;
        foreach (var kind in kills.GroupBy(k => $"kills.{k.Target.Split('-')[0]}.{k.Signal}"))
        {
            result.Extra[kind.Key] = kind.Count();
        }

        result.Notes.Add("errors/errorsByCode: reasons attempts were retried (error codes, timeout, socket_closed, not_connected, catch_up_failed); unanswered: sends failed after retries (no ack within 60 s of their scheduled time)");
        result.Notes.Add("lost = acknowledged but not stored at the acknowledged seq + stored but not held by a member after catch-up + held but not stored; duplicates = stored twice + pushed twice on one socket");
        result.Notes.Add("latencyMs: scheduled send → first held by another member (push or catch-up, retries and reconnects included); ackLatencyMs: scheduled send → ack, retries included");
        result.Notes.Add("ackStallSec: longest time with a send waiting and no send acknowledged; pushStallSec: longest time a user was owed an acknowledged message and received nothing (reconnect and catch-up included); pushStallConnectedSec: the same for a user whose socket stayed up");
        if (failed > 0)
        {
            result.Notes.Add($"{failed} send(s) failed after retries (target: 0)");
        }

        return result;
    }

    private static long CountAcked(List<ChaosSend> sends) => sends.Count(s => s.Done.IsCompleted && s.Outcome.Seq is not null);

    private static long CountRetries(ChaosClient[] clients) => clients.Sum(c => c.RetryReasons.Values.Sum());

    private static int CountSilos(string pidDirectory) => Directory.GetFiles(pidDirectory, "silo-*.pid").Length;

    private sealed class ChaosSend(int id, int conversation, int sender, long scheduled)
    {
        public int Id { get; } = id;

        public int Conversation { get; } = conversation;

        public int Sender { get; } = sender;

        public long Scheduled { get; } = scheduled;

        public Task Done { get; set; } = Task.CompletedTask;

        public SendOutcome Outcome { get; set; }
    }
}
