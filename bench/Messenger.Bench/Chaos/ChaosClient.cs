using System.Collections.Concurrent;
using System.Diagnostics;
using Messenger.Bench.Client;

namespace Messenger.Bench.Chaos;

/// <summary>
/// One simulated user who behaves as PROTOCOL.md asks a careful client to: one socket, opened
/// again (with backoff, on the same or the other ClientApi) whenever it drops; after every
/// <c>ready</c> a catch-up with <c>messages?after=</c> for each conversation whose <c>lastSeq</c>
/// is past what it holds, and the same when a push shows a gap; every send retried with the
/// same <c>clientMessageId</c> until acknowledged or out of time. It records when it first held
/// each message (push or catch-up) for the stall figures, and pushes that came twice on one socket.
/// </summary>
public sealed class ChaosClient(BenchUser user, int number, IReadOnlyList<ApiClient> apis)
{
    /// <summary>One attempt gets this long for its ack before the send is tried again.</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(5);

    // Client errors that no retry can fix; anything else (unavailable, rate_limited, timeouts,
    // dropped sockets, even internal) is worth another try with the same clientMessageId.
    private static readonly HashSet<string> Permanent = ["validation_failed", "not_found", "not_a_member", "forbidden", "blocked", "message_too_large", "unauthorized"];

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Held> _held = [];
    private readonly List<Delivery> _deliveries = [];
    private readonly HashSet<string> _pushed = [];
    private readonly Dictionary<string, int> _pushedAgain = [];
    private readonly Dictionary<int, long> _socketUpAt = [];
    private readonly ConcurrentDictionary<long, (int Socket, TaskCompletionSource<ServerFrame> Answer)> _pending = new();
    private readonly ConcurrentDictionary<string, long> _retryReasons = new();
    private TaskCompletionSource<BenchSession> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _apiIndex = number % apis.Count;
    private int _sockets;
    private long _nextRef;
    private long _pushes;
    private long _drops;

    public BenchUser User { get; } = user;

    public bool IsConnected => _connected.Task.IsCompletedSuccessfully && _connected.Task.Result.IsOpen;

    public long Pushes => Interlocked.Read(ref _pushes);

    /// <summary>Sockets that dropped or were closed by the server while the run went on.</summary>
    public long Drops => Interlocked.Read(ref _drops);

    /// <summary>Why attempts were retried, by error code (or <c>timeout</c>, <c>socket_closed</c>…).</summary>
    public IReadOnlyDictionary<string, long> RetryReasons => _retryReasons;

    /// <summary>Follows a conversation from the start, so catch-up knows to look at it.</summary>
    public void Follow(string conversationId)
    {
        lock (_gate)
        {
            _held.TryAdd(conversationId, new Held());
        }
    }

    /// <summary>Keeps one socket open until <paramref name="stop"/>; returns once the first one is ready.</summary>
    public async Task<Task> StartAsync(CancellationToken stop)
    {
        var running = ConnectLoopAsync(stop);
        await _connected.Task.WaitAsync(TimeSpan.FromSeconds(60), stop);
        return running;
    }

    /// <summary>Sends until acknowledged, refused for good, or <paramref name="deadline"/> has passed since <paramref name="started"/>.</summary>
    public async Task<SendOutcome> SendWithRetriesAsync(string conversationId, string clientMessageId, string text, bool overRest, long started, TimeSpan deadline)
    {
        var end = started + (long)(deadline.TotalSeconds * Stopwatch.Frequency);
        string? code = null;
        for (var attempt = 1; ; attempt++)
        {
            (long? seq, code) = overRest
                ? await apis[(number + attempt) % apis.Count].SendAsync(User, conversationId, clientMessageId, text, AttemptTimeout)
                : await SendOverSocketAsync(conversationId, clientMessageId, text, end);
            if (seq is not null)
            {
                return new SendOutcome(seq, Stopwatch.GetTimestamp(), attempt, false, code);
            }

            code ??= "unknown";
            if (Permanent.Contains(code))
            {
                return new SendOutcome(null, 0, attempt, true, code);
            }

            _retryReasons.AddOrUpdate(code, 1, (_, n) => n + 1);
            var pause = Backoff(attempt);
            if (Stopwatch.GetTimestamp() + (long)(pause.TotalSeconds * Stopwatch.Frequency) >= end)
            {
                return new SendOutcome(null, 0, attempt, false, code);
            }

            await Task.Delay(pause);
        }
    }

    /// <summary>Catches up every conversation until it succeeds: the last step before checking what this user holds.</summary>
    public async Task CatchUpAllAsync()
    {
        List<string> conversations;
        lock (_gate)
        {
            conversations = [.. _held.Keys];
        }

        foreach (var conversationId in conversations)
        {
            await CatchUpAsync(conversationId, socket: 0, mustSucceed: true);
        }
    }

    /// <summary>Stored seqs this user does not hold, and held seqs that are not stored.</summary>
    public (long Missing, long NotStored) Compare(string conversationId, IReadOnlyCollection<long> storedSeqs)
    {
        lock (_gate)
        {
            var held = _held[conversationId].Seqs;
            return (storedSeqs.Count(s => !held.Contains(s)), held.Count(s => !storedSeqs.Contains(s)));
        }
    }

    /// <summary>How many times a message was pushed on one socket at most (0: only catch-up brought it).</summary>
    public int PushCount(string clientMessageId)
    {
        lock (_gate)
        {
            return _pushed.Contains(clientMessageId) ? 1 + _pushedAgain.GetValueOrDefault(clientMessageId) : 0;
        }
    }

    public List<Delivery> Deliveries()
    {
        lock (_gate)
        {
            return [.. _deliveries];
        }
    }

    private async Task ConnectLoopAsync(CancellationToken stop)
    {
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            var api = apis[_apiIndex];
            var socket = Interlocked.Increment(ref _sockets);
            BenchSession session;
            try
            {
                session = await BenchSession.ConnectAsync(api.BaseAddress, User, socket, OnFrame, cancellationToken: stop);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Refused (that ClientApi is down) or no ready in time: the other one next.
                failures++;
                _apiIndex = (_apiIndex + 1) % apis.Count;
                await PauseAsync(Backoff(failures), stop);
                continue;
            }

            failures = 0;
            var upAt = Stopwatch.GetTimestamp();
            lock (_gate)
            {
                _socketUpAt[socket] = upAt;
            }

            _connected.TrySetResult(session);
            foreach (var (conversationId, lastSeq) in session.ReadyLastSeqs)
            {
                bool behind;
                lock (_gate)
                {
                    behind = _held.TryGetValue(conversationId, out var held) && lastSeq > held.Contiguous;
                }

                if (behind)
                {
                    _ = CatchUpAsync(conversationId, socket, mustSucceed: false);
                }
            }

            await session.Completion.WaitAsync(stop).ContinueWith(_ => { }, TaskScheduler.Default);
            lock (_gate)
            {
                _connected = new TaskCompletionSource<BenchSession>(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            // Sends waiting on this socket will never hear back on it: let them retry now.
            foreach (var (reference, pending) in _pending)
            {
                if (pending.Socket == socket)
                {
                    pending.Answer.TrySetResult(new ServerFrame("error", null, 0, null, reference, "socket_closed"));
                }
            }

            await session.DisposeAsync();
            if (stop.IsCancellationRequested)
            {
                break;
            }

            Interlocked.Increment(ref _drops);

            // Spread the reconnects of everyone who lost that ClientApi, and do not always
            // come back to the same one.
            _apiIndex = Random.Shared.Next(apis.Count);
            await PauseAsync(TimeSpan.FromMilliseconds(Random.Shared.Next(50, 500)), stop);
        }

        // Sends still waiting when the run ends get their answer (none) at once.
        foreach (var (reference, pending) in _pending)
        {
            pending.Answer.TrySetResult(new ServerFrame("error", null, 0, null, reference, "stopped"));
        }
    }

    private async Task<(long? Seq, string? Code)> SendOverSocketAsync(string conversationId, string clientMessageId, string text, long end)
    {
        Task<BenchSession> connected;
        lock (_gate)
        {
            connected = _connected.Task;
        }

        BenchSession session;
        try
        {
            var wait = TimeSpan.FromSeconds(Math.Max(0.1, Math.Min(AttemptTimeout.TotalSeconds, Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), end).TotalSeconds)));
            session = await connected.WaitAsync(wait);
        }
        catch (TimeoutException)
        {
            return (null, "not_connected");
        }

        var reference = Interlocked.Increment(ref _nextRef);
        var answer = new TaskCompletionSource<ServerFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[reference] = (session.Index, answer);
        try
        {
            if (!session.IsOpen)
            {
                return (null, "socket_closed");
            }

            session.Send($"{{\"type\":\"send\",\"ref\":{reference},\"conversationId\":\"{conversationId}\",\"clientMessageId\":\"{clientMessageId}\",\"text\":\"{text}\"}}");
            var frame = await answer.Task.WaitAsync(AttemptTimeout);
            return frame.Type == "ack" ? (frame.Seq, null) : (null, frame.Code);
        }
        catch (TimeoutException)
        {
            return (null, "timeout");
        }
        finally
        {
            _pending.TryRemove(reference, out _);
        }
    }

    private void OnFrame(BenchSession session, ServerFrame frame)
    {
        switch (frame.Type)
        {
            case "message" when frame.ConversationId is { } conversationId:
                Interlocked.Increment(ref _pushes);
                bool gap;
                lock (_gate)
                {
                    if (!_held.TryGetValue(conversationId, out var held))
                    {
                        return;
                    }

                    if (held.PushedSocket != session.Index)
                    {
                        held.PushedSocket = session.Index;
                        held.PushedOnSocket.Clear();
                    }

                    if (!held.PushedOnSocket.Add(frame.Seq) && frame.ClientMessageId is { } again)
                    {
                        _pushedAgain[again] = _pushedAgain.GetValueOrDefault(again) + 1;
                    }

                    if (frame.ClientMessageId is { } pushed)
                    {
                        _pushed.Add(pushed);
                    }

                    Hold(conversationId, held, frame.Seq, byPush: true, session.Index);
                    gap = held.Seqs.Count > 0 && held.Seqs.Max > held.Contiguous;
                }

                if (gap)
                {
                    _ = CatchUpAfterGapAsync(conversationId, session.Index);
                }

                break;
            case "ack" or "error" when frame.Ref >= 0 && _pending.TryGetValue(frame.Ref, out var pending):
                pending.Answer.TrySetResult(frame);
                break;
        }
    }

    // Pushes can overtake one another for a moment; fetch only if the hole is still there.
    private async Task CatchUpAfterGapAsync(string conversationId, int socket)
    {
        await Task.Delay(300);
        bool stillGap;
        lock (_gate)
        {
            var held = _held[conversationId];
            stillGap = held.Seqs.Max > held.Contiguous;
        }

        if (stillGap)
        {
            await CatchUpAsync(conversationId, socket, mustSucceed: false);
        }
    }

    /// <summary>
    /// <c>messages?after=</c> the last seq held without a hole, until the answer is complete. One
    /// at a time per conversation; a request while one runs makes it go round once more.
    /// </summary>
    private async Task CatchUpAsync(string conversationId, int socket, bool mustSucceed)
    {
        Held held;
        lock (_gate)
        {
            held = _held[conversationId];
            if (held.CatchingUp)
            {
                held.Again = true;
                return;
            }

            held.CatchingUp = true;
        }

        try
        {
            for (var attempt = 1; ; attempt++)
            {
                long after;
                lock (_gate)
                {
                    held.Again = false;
                    after = held.Contiguous;
                }

                try
                {
                    var messages = await apis[(_apiIndex + attempt - 1) % apis.Count].HistoryAfterAsync(User, conversationId, after);
                    lock (_gate)
                    {
                        foreach (var (seq, _) in messages)
                        {
                            Hold(conversationId, held, seq, byPush: false, socket);
                        }

                        if (!held.Again)
                        {
                            return;
                        }
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
                {
                    _retryReasons.AddOrUpdate("catch_up_failed", 1, (_, n) => n + 1);
                    if (!mustSucceed && attempt >= 8)
                    {
                        return; // the next ready or gap asks again
                    }

                    if (attempt >= 60)
                    {
                        throw;
                    }

                    await Task.Delay(Backoff(attempt));
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                held.CatchingUp = false;
            }
        }
    }

    // Under _gate.
    private void Hold(string conversationId, Held held, long seq, bool byPush, int socket)
    {
        if (!held.Seqs.Add(seq))
        {
            return;
        }

        _deliveries.Add(new Delivery(conversationId, seq, Stopwatch.GetTimestamp(), byPush, socket, _socketUpAt.GetValueOrDefault(socket, long.MaxValue)));
        while (held.Seqs.Contains(held.Contiguous + 1))
        {
            held.Contiguous++;
        }
    }

    // 200 ms doubling to 3 s, with jitter so that clients who failed together do not retry together.
    private TimeSpan Backoff(int attempt)
    {
        var ms = Math.Min(3000, 200 * Math.Pow(2, Math.Min(attempt - 1, 4)));
        return TimeSpan.FromMilliseconds(ms * (0.5 + (Random.Shared.NextDouble() / 2)));
    }

    private static async Task PauseAsync(TimeSpan pause, CancellationToken stop)
    {
        try
        {
            await Task.Delay(pause, stop);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed class Held
    {
        public SortedSet<long> Seqs { get; } = [];

        /// <summary>The highest seq up to which nothing is missing.</summary>
        public long Contiguous { get; set; }

        public int PushedSocket { get; set; }

        public HashSet<long> PushedOnSocket { get; } = [];

        public bool CatchingUp { get; set; }

        public bool Again { get; set; }
    }
}
