using System.Collections.Concurrent;
using System.Diagnostics;
using Messenger.Bench.Client;
using Messenger.Bench.Report;

namespace Messenger.Bench.Load;

/// <summary>
/// Conversations of a given size with live sessions for every member, driven open-loop: sends
/// go out on schedule whether or not earlier ones were answered. Every send is tracked from
/// its scheduled time to its ack and to each member session's push; afterwards every
/// acknowledged message is checked against the stored log (lost, gaps) and every session's
/// pushes against it (duplicates, missed pushes that catch-up recovers).
/// </summary>
public sealed class ChatWorkload : IAsyncDisposable
{
    /// <summary>Hold steps, each 10 % below the one before, before a search gives up.</summary>
    private const int MaxHoldTries = 7;

    private readonly BenchContext _context;
    private readonly ApiClient _api;
    private readonly string _tag;
    private readonly string _payload;
    private readonly List<Conversation> _conversations = [];
    private readonly List<BenchSession> _sessions = [];
    private readonly SendTable _sends;
    private readonly ConcurrentDictionary<string, long> _errorsByCode = new();
    private readonly LatencyRecorder _delivery = new();
    private readonly LatencyRecorder _ack = new();
    private readonly LatencyRecorder _phase = new();
    private (int Conversation, int Slot)[] _sessionPlace = [];
    private long _acked;
    private long _errors;
    private long _deliveries;
    private int _nextConversation;

    private ChatWorkload(BenchContext context, ApiClient api, string tag, int size)
    {
        _context = context;
        _api = api;
        _tag = tag;
        _sends = new SendTable(size);
        _payload = new string('x', context.Settings.TextLength);
    }

    public long Deliveries => Interlocked.Read(ref _deliveries);

    /// <summary>
    /// <paramref name="count"/> conversations of <paramref name="size"/> members (2 = direct),
    /// of whom <paramref name="senders"/> send, each member with one live session.
    /// </summary>
    public static async Task<ChatWorkload> CreateAsync(BenchContext context, ApiClient api, IReadOnlyList<BenchUser> users, string tag, int count, int size, int senders)
    {
        var workload = new ChatWorkload(context, api, $"{tag}{context.RunId}", size);
        workload._sessionPlace = new (int, int)[count * size];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            var members = users.Skip(i * size).Take(size).ToArray();
            var id = size == 2
                ? await api.DirectAsync(members[0], members[1])
                : await api.GroupAsync(members[0], $"{tag} {i}", members.Skip(1));
            lock (workload._conversations)
            {
                workload._conversations.Add(new Conversation(i, id, members, senders));
            }
        });
        workload._conversations.Sort((a, b) => a.Index.CompareTo(b.Index));

        var connectStarted = Stopwatch.GetTimestamp();
        var sessions = new BenchSession[count * size];
        await Parallel.ForEachAsync(Enumerable.Range(0, count * size), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (n, _) =>
        {
            var conversation = workload._conversations[n / size];
            workload._sessionPlace[n] = (n / size, n % size);
            sessions[n] = await BenchSession.ConnectAsync(api.BaseAddress, conversation.Members[n % size], n, workload.OnFrame);
        });
        workload._sessions.AddRange(sessions);
        foreach (var conversation in workload._conversations)
        {
            conversation.Sessions = sessions.Skip(conversation.Index * size).Take(size).ToArray();
        }

        context.Log.Info($"{tag}: {count} conversation(s) of {size}, {sessions.Length} sessions connected in {Stopwatch.GetElapsedTime(connectStarted).TotalSeconds:F1} s");
        return workload;
    }

    /// <summary>Sends at <paramref name="rate"/> per second for <paramref name="duration"/>; returns what this phase did.</summary>
    /// <remarks>
    /// The pacing loop has a thread of its own that sleeps between ticks and puts each send onto
    /// its socket itself (<see cref="BenchSession.Send"/>). Woken by a timer through the thread
    /// pool, with each send handed to its session's loop, the generator spent about a tenth more
    /// CPU per send (docs/performance.md, "Session 20").
    /// </remarks>
    public Task<PhaseStats> DriveAsync(string phase, double rate, TimeSpan duration) =>
        Task.Factory.StartNew(() => Drive(phase, rate, duration), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private PhaseStats Drive(string phase, double rate, TimeSpan duration)
    {
        var cpu = ProcessCpu.Read(_context.Settings.PidDirectory);
        var started = Stopwatch.GetTimestamp();
        long issued = 0;
        _phase.Reset();
        var acked0 = Interlocked.Read(ref _acked);
        var deliveries0 = Deliveries;
        var errors0 = Interlocked.Read(ref _errors);
        long lastAcked = acked0, lastDeliveries = deliveries0;
        var nextTick = 1.0;
        var worstP99 = 0.0;
        var worstLagMs = 0.0;
        var recoveredAt = double.NaN;
        while (true)
        {
            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            if (elapsed >= duration.TotalSeconds)
            {
                break;
            }

            // Open loop: send i is scheduled at i / rate; everything due by now goes out now,
            // answered or not.
            var due = Math.Min((long)(elapsed * rate) + 1, (long)(duration.TotalSeconds * rate)) - issued;
            if (due > 0)
            {
                // How late the generator itself is: the oldest send due now was scheduled at
                // issued / rate. A stall of the generator shows here, not as the server's.
                worstLagMs = Math.Max(worstLagMs, (elapsed - (issued / rate)) * 1000);
            }

            for (var k = 0; k < due; k++)
            {
                Issue(started + (long)((issued + k) / rate * Stopwatch.Frequency));
            }

            issued += Math.Max(0, due);
            if (elapsed >= nextTick)
            {
                var acked = Interlocked.Read(ref _acked);
                var deliveries = Deliveries;
                var p99 = _delivery.TakeWindowP99();
                _ack.TakeWindowP99();
                if (!double.IsNaN(p99))
                {
                    worstP99 = Math.Max(worstP99, p99);
                    if (double.IsNaN(recoveredAt) && p99 <= 100)
                    {
                        recoveredAt = nextTick;
                    }
                }

                _context.Log.Tick(phase, nextTick, rate, acked - lastAcked, deliveries - lastDeliveries, p99, Interlocked.Read(ref _errors) - errors0, worstLagMs);
                worstLagMs = 0;
                lastAcked = acked;
                lastDeliveries = deliveries;
                nextTick += 1;
            }

            Thread.Sleep(1);
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var cpuAfter = ProcessCpu.Read(_context.Settings.PidDirectory);
        return new PhaseStats(
            issued,
            (Interlocked.Read(ref _acked) - acked0) / seconds,
            (Deliveries - deliveries0) / seconds,
            Interlocked.Read(ref _errors) - errors0,
            worstP99,
            recoveredAt,
            seconds,
            _phase.Summary().P99,
            cpuAfter.CoresSince(cpu),
            cpuAfter.ThreadsWaitingSince(cpu));
    }

    /// <summary>
    /// Runs at the rate without keeping the latencies: the first seconds of a fresh cluster
    /// pay for JIT compilation and grain activations, which is not the steady state measured.
    /// Delivery checks still cover these sends.
    /// </summary>
    public async Task WarmUpAsync(double rate, TimeSpan duration)
    {
        await DriveAsync("warm-up", rate, duration);
        await DrainAsync(TimeSpan.FromSeconds(10));
        _delivery.Reset();
        _ack.Reset();
    }

    /// <summary>
    /// Steps the rate up ×1.4 until p99 passes 100 ms, errors appear or acks fall behind (twice
    /// in a row at the same rate), then halves the gap between the last good and the first bad
    /// rate twice (the maximum is then known to within about 10 %). Then the rate found must hold
    /// for <paramref name="hold"/> in one try, stepping down ×0.9 until one does: a short step can
    /// pass at a rate the cluster does not carry for longer (run 13's searches found 8,678-17,008
    /// direct sends/s, and 80 % of the higher ones ran into the in-flight bound).
    /// </summary>
    public async Task<RateSearch> FindMaxAsync(double startRate, TimeSpan step, TimeSpan hold)
    {
        // As long as a step: right after a cluster starts, its first seconds (JIT) can stall for
        // most of a second, and a 3 s warm-up let that end a search at its first step.
        await WarmUpAsync(startRate, step > TimeSpan.FromSeconds(3) ? step : TimeSpan.FromSeconds(3));
        var rate = startRate;
        var best = 0.0;
        while (await StepAsync("find-max", rate, step, tries: 2))
        {
            best = rate;
            if (rate > 1_000_000)
            {
                break;
            }

            rate *= 1.4;
        }

        var over = rate;
        for (var i = 0; i < 2 && best > 0 && best <= 1_000_000; i++)
        {
            var middle = (best + over) / 2;
            if (await StepAsync("find-max", middle, step, tries: 2))
            {
                best = middle;
            }
            else
            {
                over = middle;
            }
        }

        // Every rate reported as held was run and passed: after the last try fails the result
        // says so (run 18's room reported 362/s "held" after six failures, a rate never run).
        var held = Math.Max(best, startRate);
        for (var tries = 1; ; tries++)
        {
            if (await StepAsync("find-max hold", held, hold, tries: 1))
            {
                return new RateSearch(best, held, Holds: true);
            }

            if (tries == MaxHoldTries || held <= startRate)
            {
                return new RateSearch(best, held, Holds: false);
            }

            held = Math.Max(startRate, held * 0.9);
        }

        // In the search a rate is over only when it fails twice in a row: an 8 s step can fail on
        // one slow second (a writeback burst, a collection), and at a low first rate one stalled
        // message is over 1 % of a step's deliveries, which ended searches at their first step
        // (run 7). Taking the better of two tries pushes the search upward; the hold step, one
        // try as long as a measurement, is what the reported maximum rests on.
        async Task<bool> StepAsync(string label, double target, TimeSpan length, int tries)
        {
            for (var attempt = 1; ; attempt++)
            {
                var stats = await DriveAsync(label, target, length);
                var ok = stats.Errors == 0 && stats.P99 <= 100 && stats.AckedPerSec >= target * 0.9;
                var verdict = ok ? "ok" : attempt < tries ? "over, once more" : "over";
                _context.Log.Info($"{label}: {target:F0}/s -> acked {stats.AckedPerSec:F0}/s, p99 {stats.P99:F1} ms (worst second {stats.WorstP99:F1}), errors {stats.Errors}: {verdict}");
                if (ok)
                {
                    return true;
                }

                // Let the backlog of a failed step clear before the next one is measured.
                await DrainAsync(TimeSpan.FromSeconds(10));
                if (attempt == tries)
                {
                    return false;
                }
            }
        }
    }

    /// <summary>Waits until every send is answered and pushes stopped arriving (or the time is up).</summary>
    public async Task DrainAsync(TimeSpan atMost)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(atMost.TotalSeconds * Stopwatch.Frequency);
        var last = -1L;
        var quietSince = Stopwatch.GetTimestamp();
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var answered = CountSends(state => state != SendRecord.Pending);
            var deliveries = Deliveries;
            if (deliveries != last)
            {
                last = deliveries;
                quietSince = Stopwatch.GetTimestamp();
            }
            else if (answered == _sends.Count && Stopwatch.GetElapsedTime(quietSince).TotalSeconds > 1)
            {
                return;
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Checks every acknowledged message against the log and every session's pushes (<see cref="LogCheck"/>).</summary>
    public async Task<ScenarioResult> VerifyAsync(string scenario, PhaseStats measured, double targetRate)
    {
        await DrainAsync(TimeSpan.FromSeconds(15));
        var notes = new List<string>();
        var byConversation = _conversations.ToDictionary(c => c.Index, _ => new List<CheckedSend>());
        for (long id = 0; id < _sends.Count; id++)
        {
            ref var send = ref _sends[id];
            byConversation[send.Conversation].Add(new CheckedSend(
                $"{_tag}-{id}", send.State == SendRecord.Acked ? send.Seq : null, _sends.DeliveriesOf(id)));
        }

        var check = await LogCheck.RunAsync(_api, _conversations.Select(c => new CheckedConversation(
            c.Id, c.Members[0], byConversation[c.Index])).ToList());

        var unanswered = CountSends(state => state == SendRecord.Pending);
        if (unanswered > 0)
        {
            notes.Add($"{unanswered} sends got no answer before the drain ended");
        }

        var result = new ScenarioResult
        {
            Scenario = scenario,
            SendsPerSec = Math.Round(measured.AckedPerSec, 1),
            DeliveriesPerSec = Math.Round(measured.DeliveriesPerSec, 1),
            LatencyMs = _delivery.Summary(),
            AckLatencyMs = _ack.Summary(),
            Sent = _sends.Count,
            Acknowledged = Interlocked.Read(ref _acked),
            Lost = check.Lost,
            Duplicates = check.Duplicates,
            Gaps = check.Gaps,
            Errors = Interlocked.Read(ref _errors),
            ErrorsByCode = new Dictionary<string, long>(_errorsByCode),
            Unanswered = unanswered,
            PushesMissed = check.PushesMissed,
            PushesRecovered = check.PushesMissed, // each is in the log, so catch-up delivers it
            DurationSec = Math.Round(measured.Seconds, 1),
            TargetRate = Math.Round(targetRate, 1),
            Notes = notes,
        };
        AddCpu(result.Extra, measured);
        if (measured.CpuCores.Count > 0)
        {
            _context.Log.Info($"{scenario}: CPU per acknowledged send while measured: {DescribeCpu(measured)}");
            _context.Log.Info($"{scenario}: threads waiting for a core while measured, on average: {DescribeWaiting(measured)}");
        }

        return result;
    }

    /// <summary>One line for the terminal: all processes, then each.</summary>
    private static string DescribeCpu(PhaseStats measured) => string.Join(", ", measured.CpuCores
        .OrderBy(c => c.Key, StringComparer.Ordinal)
        .Prepend(new("all", measured.CpuCores.Values.Sum()))
        .Select(c => $"{c.Key} {PerSend(c.Value, measured):F0} µs ({c.Value:F2} cores)"));

    private static string DescribeWaiting(PhaseStats measured) => string.Join(", ", measured.ThreadsWaiting
        .OrderBy(w => w.Key, StringComparer.Ordinal)
        .Prepend(new("all", measured.ThreadsWaiting.Values.Sum()))
        .Select(w => $"{w.Key} {w.Value:F2}"));

    private static double PerSend(double cores, PhaseStats measured) =>
        measured.AckedPerSec > 0 ? Math.Round(cores * 1e6 / measured.AckedPerSec, 1) : 0;

    /// <summary>
    /// The cores each process used while measured, and the CPU time that cost per acknowledged
    /// send: <c>cpuCores</c> and <c>cpuUsPerSend</c> for all of them (the cluster's processes and
    /// the generator), <c>cpu.NAME</c> and <c>cpuUsPerSend.NAME</c> for each. Also how many
    /// threads were ready to run with no core free, on average: <c>threadsWaiting</c> and
    /// <c>threadsWaiting.NAME</c>.
    /// </summary>
    private static void AddCpu(Dictionary<string, double> extra, PhaseStats measured)
    {
        if (measured.CpuCores.Count == 0)
        {
            return;
        }

        var all = measured.CpuCores.Values.Sum();
        extra["cpuCores"] = Math.Round(all, 2);
        extra["cpuUsPerSend"] = PerSend(all, measured);
        foreach (var (name, cores) in measured.CpuCores)
        {
            extra[$"cpu.{name}"] = Math.Round(cores, 3);
            extra[$"cpuUsPerSend.{name}"] = PerSend(cores, measured);
        }

        if (measured.ThreadsWaiting.Count > 0)
        {
            extra["threadsWaiting"] = Math.Round(measured.ThreadsWaiting.Values.Sum(), 2);
            foreach (var (name, waiting) in measured.ThreadsWaiting)
            {
                extra[$"threadsWaiting.{name}"] = Math.Round(waiting, 2);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Parallel.ForEachAsync(_sessions, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (s, _) => await s.DisposeAsync());
    }

    private void Issue(long scheduled)
    {
        var conversation = _conversations[_nextConversation++ % _conversations.Count];
        var slot = conversation.NextSender();
        var id = _sends.Count;
        _sends.Add(id, new SendRecord(conversation.Index, slot, scheduled));
        conversation.Sessions[slot].Send(
            $"{{\"type\":\"send\",\"ref\":{id},\"conversationId\":\"{conversation.Id}\",\"clientMessageId\":\"{_tag}-{id}\",\"text\":\"{_payload}\"}}");
    }

    private void OnFrame(BenchSession session, ServerFrame frame)
    {
        var now = Stopwatch.GetTimestamp();
        switch (frame.Type)
        {
            case "message" when TryParseId(frame.ClientMessageId, out var id) && _sends.Contains(id):
                ref var send = ref _sends[id];
                var slot = _sessionPlace[session.Index].Slot;
                Interlocked.Increment(ref _deliveries);
                if (Interlocked.Increment(ref _sends.Deliveries(id, slot)) == 1 && slot != send.SenderSlot)
                {
                    _delivery.Record(send.Scheduled, now);
                    _phase.Record(send.Scheduled, now);
                }

                break;
            case "ack" when _sends.Contains(frame.Ref):
                ref var acked = ref _sends[frame.Ref];
                acked.Seq = frame.Seq;
                if (Interlocked.CompareExchange(ref acked.State, SendRecord.Acked, SendRecord.Pending) == SendRecord.Pending)
                {
                    Interlocked.Increment(ref _acked);
                    _ack.Record(acked.Scheduled, now);
                }

                break;
            case "error":
                Interlocked.Increment(ref _errors);
                _errorsByCode.AddOrUpdate(frame.Code ?? "unknown", 1, (_, n) => n + 1);
                if (_sends.Contains(frame.Ref))
                {
                    Interlocked.CompareExchange(ref _sends[frame.Ref].State, SendRecord.Failed, SendRecord.Pending);
                }

                break;
        }
    }

    private long CountSends(Func<int, bool> inState)
    {
        long count = 0;
        for (long id = 0; id < _sends.Count; id++)
        {
            if (inState(Volatile.Read(ref _sends[id].State)))
            {
                count++;
            }
        }

        return count;
    }

    private bool TryParseId(string? clientMessageId, out long id)
    {
        id = 0;
        return clientMessageId is not null
            && clientMessageId.Length > _tag.Length + 1
            && clientMessageId.StartsWith(_tag, StringComparison.Ordinal)
            && long.TryParse(clientMessageId.AsSpan(_tag.Length + 1), out id);
    }

    private sealed class Conversation(int index, string id, BenchUser[] members, int senders)
    {
        private int _next;

        public int Index { get; } = index;

        public string Id { get; } = id;

        public BenchUser[] Members { get; } = members;

        public BenchSession[] Sessions { get; set; } = [];

        public int NextSender() => _next++ % Math.Min(senders, Members.Length);
    }
}
