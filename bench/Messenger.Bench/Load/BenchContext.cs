using Messenger.Bench.Client;

namespace Messenger.Bench.Load;

/// <summary>What every scenario of one run shares: the target, the user pool, the console.</summary>
public sealed class BenchContext(ApiClient api, BenchSettings settings, ProgressLog log)
{
    private readonly List<BenchUser> _users = [];
    private readonly SemaphoreSlim _gate = new(1, 1);

    public ApiClient Api { get; } = api;

    public BenchSettings Settings { get; } = settings;

    public ProgressLog Log { get; } = log;

    /// <summary>The run's unique prefix for usernames and client message ids.</summary>
    public string RunId { get; } = Guid.NewGuid().ToString("N")[..6];

    /// <summary>
    /// At least <paramref name="count"/> signed-in users. Registering is deliberately slow
    /// (password hashing), so users are made once per run and reused by every scenario.
    /// </summary>
    public async Task<IReadOnlyList<BenchUser>> UsersAsync(int count)
    {
        await _gate.WaitAsync();
        try
        {
            if (_users.Count < count)
            {
                var started = DateTime.UtcNow;
                var missing = Enumerable.Range(_users.Count, count - _users.Count).ToList();
                var created = new BenchUser[missing.Count];
                await Parallel.ForEachAsync(missing.Select((n, i) => (n, i)), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (item, _) =>
                {
                    var username = $"b{RunId}u{item.n}";
                    await Api.RegisterAsync(username, "bench-password");
                    created[item.i] = await Api.LoginAsync(username, "bench-password");
                });
                _users.AddRange(created);
                Log.Info($"signed up {missing.Count} users in {(DateTime.UtcNow - started).TotalSeconds:F1} s");
            }

            return _users.Take(count).ToList();
        }
        finally
        {
            _gate.Release();
        }
    }
}
