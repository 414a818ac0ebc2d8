using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Xunit.Abstractions;

namespace Messenger.Tests.Integration;

/// <summary>
/// A network partition, not a crash: three silo processes, each on a loopback address of its
/// own as if on its own host, and one of them cut off from the other two by iptables while it
/// keeps running and keeps reaching PostgreSQL and the ClientApis. The others must declare it
/// dead, it must stop itself once it reads that, and meanwhile its stale conversation
/// activations, still reachable through a ClientApi, must never acknowledge a seq that the new
/// activations also acknowledge: the (conversation, seq) key of the message log decides.
/// </summary>
public sealed class PartitionTests(ITestOutputHelper output)
{
    private const int ConversationCount = 12;
    private const int StatusActive = 3;
    private const int StatusDead = 6;

    // A silent but open connection holds off the votes for MaxProbeTimeout × NumMissedProbesLimit
    // (8 s × 2 with ProbeTimeout 2 s), so about 17-20 s is expected; the cut-off silo reads the
    // table every TableRefreshTimeout (5 s). Silo/appsettings.json; docs/fault-tolerance.md.
    // The bounds leave room for a loaded 2-core CI machine.
    private static readonly TimeSpan DeclaredDeadWithin = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan StopsItselfWithin = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SendWithin = TimeSpan.FromSeconds(90);

    [RequiresIptablesFact]
    public async Task CutOffSilo_IsDeclaredDeadAndStopsItself_AndNoSendIsLostOrAcknowledgedTwice()
    {
        await using var cluster = await ProcessCluster.CreateEmptyAsync();
        await using var db = NpgsqlDataSource.Create(cluster.ConnectionString);
        var isolated = cluster.StartSiloOnHost("silo-a", "127.0.0.2", NetworkPartition.NewGroupId());
        var firstApi = await cluster.StartClientApiAsync("clientapi-1");

        // Created while silo-a is the only silo: every conversation (and user) is activated
        // there, so every one of them has a stale activation once silo-a is cut off.
        var users = await Task.WhenAll(Enumerable.Range(0, 2 * ConversationCount).Select(_ => Client.RegisterAsync(firstApi)));
        var conversations = await Task.WhenAll(Enumerable.Range(0, ConversationCount).Select(i => users[2 * i].DirectWithAsync(users[(2 * i) + 1])));

        SiloHost[] others = [cluster.StartSiloOnHost("silo-b", "127.0.0.3"), cluster.StartSiloOnHost("silo-c", "127.0.0.4")];
        await cluster.WaitUntilAsync(async _ => await ActiveSilosAsync(db, cluster) == 3, "three Active silos in the membership table", TimeSpan.FromSeconds(180));

        // Started with all three gateways in its list. Sends alternate between the two
        // ClientApis, so while silo-a is cut off some reach its stale activations (through its
        // gateway, which clientapi-1 still reaches) and some reach new ones on silo-b or silo-c.
        var secondApi = await cluster.StartClientApiAsync("clientapi-2");
        foreach (var user in users)
        {
            user.AddClientApi(secondApi);
        }

        var clock = Stopwatch.StartNew();
        var traffic = new Traffic(clock);
        using var stop = new CancellationTokenSource();
        var senders = conversations.Select((conversationId, i) => Task.Run(async () =>
        {
            for (var n = 1; !stop.IsCancellationRequested; n++)
            {
                var clientMessageId = $"m-{n}";
                traffic.Acknowledged(await users[2 * i].SendUntilAcknowledgedAsync(conversationId, clientMessageId, n, traffic));

                // Every fifth message is repeated through the other ClientApi, as a client that
                // missed the answer would: it must get the same seq, whichever activation answers.
                if (n % 5 == 0)
                {
                    traffic.Acknowledged(await users[2 * i].SendUntilAcknowledgedAsync(conversationId, clientMessageId, n + 1, traffic));
                }
            }
        })).ToList();

        await traffic.WaitAsync(senders, () => traffic.Count >= 3 * ConversationCount, "steady sends before the partition", TimeSpan.FromSeconds(60));
        TimeSpan cutAt, deadAt, stoppedAt;
        await using (var partition = NetworkPartition.Isolate(isolated, others))
        {
            cutAt = clock.Elapsed;
            output.WriteLine($"iptables rules:\n  {string.Join("\n  ", partition.Rules)}");

            await traffic.WaitAsync(senders, async () => await StatusAsync(db, cluster, isolated) == StatusDead, $"{isolated.Name} to be declared Dead", DeclaredDeadWithin);
            deadAt = clock.Elapsed;

            Assert.True(
                await cluster.WaitForExitAsync(isolated.Name, StopsItselfWithin),
                $"{isolated.Name} was declared dead but still runs {StopsItselfWithin.TotalSeconds} s later:\n{cluster.Log(isolated.Name)}");
            stoppedAt = clock.Elapsed;

            await traffic.WaitAsync(
                senders,
                () => conversations.All(c => traffic.CountSince(c, stoppedAt) >= 5),
                $"five acknowledged sends in every conversation after {isolated.Name} stopped",
                TimeSpan.FromSeconds(90));
        }

        await stop.CancelAsync();
        await Task.WhenAll(senders);

        Report(cluster, traffic, cutAt, deadAt, stoppedAt);
        foreach (var survivor in others)
        {
            // The cut-off silo suspects the others too; alone, it must not be able to kill them.
            Assert.Equal(StatusActive, await StatusAsync(db, cluster, survivor));
        }

        for (var i = 0; i < ConversationCount; i++)
        {
            var stored = await users[(2 * i) + 1].HistoryAsync(conversations[i]);
            var acks = traffic.For(conversations[i]);
            var storedSeqs = stored.Select(m => m.Seq).ToList();
            Assert.Equal(Enumerable.Range(1, stored.Count).Select(s => (long)s), storedSeqs);
            var storedByClientMessageId = stored.ToDictionary(m => m.ClientMessageId, m => m.Seq);
            Assert.Equal(acks.Select(a => a.ClientMessageId).ToHashSet(), storedByClientMessageId.Keys.ToHashSet());
            foreach (var ack in acks)
            {
                Assert.True(
                    storedByClientMessageId[ack.ClientMessageId] == ack.Seq,
                    $"{conversations[i]}: {ack.ClientMessageId} was acknowledged as seq {ack.Seq} but is stored as seq {storedByClientMessageId[ack.ClientMessageId]}");
            }

            var sharedSeq = acks.GroupBy(a => a.Seq).FirstOrDefault(g => g.Select(a => a.ClientMessageId).Distinct().Count() > 1);
            Assert.True(sharedSeq is null, $"{conversations[i]}: seq {sharedSeq?.Key} was acknowledged for {string.Join(", ", sharedSeq?.Select(a => a.ClientMessageId).Distinct() ?? [])}");
        }
    }

    private void Report(ProcessCluster cluster, Traffic traffic, TimeSpan cutAt, TimeSpan deadAt, TimeSpan stoppedAt)
    {
        var staleConflicts = new[] { "silo-a", "silo-b", "silo-c" }
            .Sum(silo => cluster.CountLogLines(silo, "was stored by another activation"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            declared dead after {(deadAt - cutAt).TotalSeconds:F1} s, stopped itself after {(stoppedAt - cutAt).TotalSeconds:F1} s (exit code {cluster.ExitCode("silo-a")})
            acknowledged {traffic.Count}; longest wait for one acknowledgement {traffic.LongestWait.TotalSeconds:F1} s; longest time with no acknowledgement at all {traffic.LongestSilenceAfter(cutAt).TotalSeconds:F1} s
            stale activations that lost on (conversation, seq): {staleConflicts}
            failed attempts (retried): {string.Join(", ", traffic.Failures.OrderBy(f => f.Key).Select(f => $"{f.Key} × {f.Value}"))}
            """));
    }

    private static async Task<int> ActiveSilosAsync(NpgsqlDataSource db, ProcessCluster cluster)
    {
        await using var cmd = db.CreateCommand("SELECT count(*) FROM orleans_cluster_silo WHERE cluster_id = $1 AND status = 3");
        cmd.Parameters.Add(new NpgsqlParameter { Value = cluster.ClusterId });
        return Convert.ToInt32(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static async Task<int?> StatusAsync(NpgsqlDataSource db, ProcessCluster cluster, SiloHost silo)
    {
        await using var cmd = db.CreateCommand(
            "SELECT status FROM orleans_cluster_silo WHERE cluster_id = $1 AND address = $2 AND port = $3 ORDER BY generation DESC LIMIT 1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = cluster.ClusterId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = silo.Address });
        cmd.Parameters.Add(new NpgsqlParameter { Value = silo.SiloPort });
        return await cmd.ExecuteScalarAsync() as int?;
    }

    private sealed record Ack(string ConversationId, string ClientMessageId, long Seq, TimeSpan Waited, TimeSpan At);

    private sealed record StoredMessage(long Seq, string ClientMessageId);

    /// <summary>Every acknowledgement the clients got, and every attempt that failed and was retried.</summary>
    private sealed class Traffic(Stopwatch clock)
    {
        private readonly ConcurrentQueue<Ack> _acks = new();

        public ConcurrentDictionary<string, int> Failures { get; } = new();

        public TimeSpan Now => clock.Elapsed;

        public int Count => _acks.Count;

        public TimeSpan LongestWait => _acks.Max(a => a.Waited);

        public void Acknowledged(Ack ack) => _acks.Enqueue(ack);

        public void Failed(string outcome) => Failures.AddOrUpdate(outcome, 1, (_, n) => n + 1);

        public List<Ack> For(string conversationId) => _acks.Where(a => a.ConversationId == conversationId).ToList();

        public int CountSince(string conversationId, TimeSpan since) => _acks.Count(a => a.ConversationId == conversationId && a.At > since);

        /// <summary>The longest stretch after <paramref name="since"/> in which no send at all was acknowledged.</summary>
        public TimeSpan LongestSilenceAfter(TimeSpan since)
        {
            var times = _acks.Select(a => a.At).Where(t => t > since).Order().Prepend(since).ToList();
            return times.Zip(times.Skip(1), (a, b) => b - a).DefaultIfEmpty().Max();
        }

        /// <summary>Waits for a condition, failing at once with the sender's error if a sender gave up.</summary>
        public Task WaitAsync(IReadOnlyList<Task> senders, Func<bool> condition, string what, TimeSpan timeout) =>
            WaitAsync(senders, () => Task.FromResult(condition()), what, timeout);

        public Task WaitAsync(IReadOnlyList<Task> senders, Func<Task<bool>> condition, string what, TimeSpan timeout) =>
            Eventually.TrueAsync(
                async () => senders.FirstOrDefault(s => s.IsFaulted) is { } failed ? throw failed.Exception! : await condition(),
                what,
                timeout);
    }

    /// <summary>A user of the real ClientApi processes, with one connection to each.</summary>
    private sealed class Client(string username, string token)
    {
        private readonly List<HttpClient> _apis = [];

        public string Name => username;

        public static async Task<Client> RegisterAsync(Uri api)
        {
            using var anonymous = new HttpClient { BaseAddress = api };
            var credentials = new { username = $"part{Guid.NewGuid().ToString("N")[..10]}", password = "password123" };
            (await anonymous.PostAsJsonAsync("/api/v1/auth/register", credentials)).EnsureSuccessStatusCode();
            var login = await (await anonymous.PostAsJsonAsync("/api/v1/auth/login", credentials)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
            var client = new Client(credentials.username, login.GetProperty("accessToken").GetString()!);
            client.AddClientApi(api);
            return client;
        }

        public void AddClientApi(Uri api)
        {
            // Longer than the ClientApi's 10 s response timeout, so its 503 arrives first.
            var http = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(15) };
            http.DefaultRequestHeaders.Authorization = new("Bearer", token);
            _apis.Add(http);
        }

        public async Task<string> DirectWithAsync(Client other)
        {
            var response = await _apis[0].PostAsJsonAsync("/api/v1/conversations", new { kind = "direct", with = other.Name });
            return (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("conversationId").GetString()!;
        }

        /// <summary>
        /// A client's retry loop: the same clientMessageId until it is acknowledged, on 5xx,
        /// 429, timeouts and dropped connections, alternating between the ClientApis
        /// (<paramref name="turn"/> picks the first). Any other answer fails the test.
        /// </summary>
        public async Task<Ack> SendUntilAcknowledgedAsync(string conversationId, string clientMessageId, int turn, Traffic traffic)
        {
            var started = traffic.Now;
            for (var attempt = turn; ; attempt++)
            {
                string failure;
                try
                {
                    using var response = await _apis[attempt % _apis.Count].PutAsJsonAsync(
                        $"/api/v1/conversations/{conversationId}/messages/{clientMessageId}", new { text = $"message {clientMessageId}" });
                    var status = (int)response.StatusCode;
                    if (response.IsSuccessStatusCode)
                    {
                        var seq = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("seq").GetInt64();
                        return new Ack(conversationId, clientMessageId, seq, traffic.Now - started, traffic.Now);
                    }

                    if (status is not (429 or >= 500))
                    {
                        throw new InvalidOperationException($"{clientMessageId} in {conversationId} was answered {status}: {await response.Content.ReadAsStringAsync()}");
                    }

                    failure = status.ToString(CultureInfo.InvariantCulture);
                }
                catch (HttpRequestException ex)
                {
                    failure = $"connection {ex.HttpRequestError}";
                }
                catch (TaskCanceledException)
                {
                    failure = "client timeout";
                }

                traffic.Failed(failure);
                if (traffic.Now - started > SendWithin)
                {
                    throw new TimeoutException($"{clientMessageId} in {conversationId} was not acknowledged within {SendWithin.TotalSeconds} s (last: {failure}).");
                }

                await Task.Delay(200); // a client's back-off before its retry
            }
        }

        /// <summary>The whole log, page by page, retrying 503 as a client honouring Retry-After does.</summary>
        public async Task<List<StoredMessage>> HistoryAsync(string conversationId)
        {
            var messages = new List<StoredMessage>();
            var deadline = DateTime.UtcNow + SendWithin;
            var hasMore = true;
            while (hasMore)
            {
                using var response = await _apis[^1].GetAsync($"/api/v1/conversations/{conversationId}/messages?after={(messages.Count == 0 ? 0 : messages[^1].Seq)}&limit=200");
                if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(500);
                    continue;
                }

                var page = await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
                messages.AddRange(page.GetProperty("messages").EnumerateArray()
                    .Select(m => new StoredMessage(m.GetProperty("seq").GetInt64(), m.GetProperty("clientMessageId").GetString()!)));
                hasMore = page.GetProperty("hasMore").GetBoolean();
            }

            return messages;
        }
    }
}
