using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Messenger.Silo.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Messenger.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL for the test run: started from the machine's binaries (as the
/// <c>postgres</c> user when the tests run as root, since PostgreSQL refuses root) on a free
/// port with its data in a temp folder, or taken from <c>MESSENGER_TEST_POSTGRES</c>. Each
/// fixture gets a fresh database of its own with the schema applied.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private static readonly Lazy<Task<PostgresServer>> SharedServer = new(StartAsync);

    private readonly string? _dataDir;
    private readonly string? _binDir;
    private readonly string? _startArguments;
    private int _databases;

    private PostgresServer(string adminConnectionString, string? dataDir, string? binDir, string? startArguments)
    {
        AdminConnectionString = adminConnectionString;
        _dataDir = dataDir;
        _binDir = binDir;
        _startArguments = startArguments;
    }

    public string AdminConnectionString { get; }

    /// <summary>The server's main process (the postmaster), when this fixture started it; null for an outside server.</summary>
    public int? PostmasterPid =>
        _dataDir is not null && File.Exists(Path.Combine(_dataDir, "postmaster.pid"))
            && int.TryParse(File.ReadLines(Path.Combine(_dataDir, "postmaster.pid")).FirstOrDefault(), out var pid) ? pid : null;

    /// <summary>One server per test process; stopped when the process exits.</summary>
    public static Task<PostgresServer> Shared => SharedServer.Value;

    /// <summary>
    /// Creates an empty database with the Messenger schema (or, <paramref name="migrate"/> false,
    /// with none, for a test of the schema's scripts) and returns its connection string.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(bool migrate = true)
    {
        var name = $"messenger_test_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid().ToString("N")[..6]}";
        await using (var admin = new NpgsqlConnection(AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await cmd.ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
        if (!migrate)
        {
            return connectionString;
        }

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance).ApplyAsync(SchemaMigrator.ScriptFolder);
        return connectionString;
    }

    /// <summary>
    /// A server of its own, always from the local binaries, for a test that stops and starts the
    /// database under a running cluster. Dispose it when done.
    /// </summary>
    public static Task<PostgresServer> StartPrivateAsync() => StartLocalAsync();

    /// <summary>Stops the server as an operator would (fast shutdown: connections are cut).</summary>
    public Task StopAsync() => RunAsync(Path.Combine(Binaries, "pg_ctl"), $"stop -D \"{_dataDir}\" -m fast -w", asPostgres: true);

    /// <summary>Starts it again on the same port and data.</summary>
    public Task RestartAsync() => RunAsync(Path.Combine(Binaries, "pg_ctl"), _startArguments!, asPostgres: true);

    private string Binaries => _binDir ?? throw new InvalidOperationException("An external PostgreSQL cannot be stopped by the tests.");

    public async ValueTask DisposeAsync()
    {
        if (_dataDir is not null && _binDir is not null)
        {
            await RunAsync(Path.Combine(_binDir, "pg_ctl"), $"stop -D \"{_dataDir}\" -m immediate -w", asPostgres: true, throwOnError: false);
            try
            {
                Directory.Delete(_dataDir, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private static async Task<PostgresServer> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("MESSENGER_TEST_POSTGRES") is { Length: > 0 } external)
        {
            return new PostgresServer(external, null, null, null);
        }

        return await StartLocalAsync();
    }

    private static async Task<PostgresServer> StartLocalAsync()
    {
        var binDir = FindBinaries() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries were not found (looked in /usr/lib/postgresql/*/bin and PATH). " +
            "Install them (Debian: apt-get install postgresql) or set MESSENGER_TEST_POSTGRES to a connection string.");
        var root = Path.Combine(Path.GetTempPath(), $"messenger-test-pg-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}");
        var dataDir = Path.Combine(root, "data");
        Directory.CreateDirectory(root);
        if (IsRoot)
        {
            await RunAsync("chown", $"postgres \"{root}\"", asPostgres: false);
        }

        var port = FreePort();
        await RunAsync(Path.Combine(binDir, "initdb"), $"-D \"{dataDir}\" -U messenger --auth=trust -E UTF8 --no-locale", asPostgres: true);

        // Durability settings stay at their defaults: tests exercise the real commit path.
        var options = $"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=300";
        var start = $"start -D \"{dataDir}\" -w -t 60 -l \"{Path.Combine(root, "postgres.log")}\" -o \"{options}\"";
        await RunAsync(Path.Combine(binDir, "pg_ctl"), start, asPostgres: true);
        var server = new PostgresServer($"Host=127.0.0.1;Port={port};Username=messenger;Database=postgres;Pooling=true", dataDir, binDir, start);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return server;
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static string? FindBinaries()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => d == "/usr/lib/postgresql/15").ThenByDescending(d => d).Select(d => Path.Combine(d, "bin"))
            : [];
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':');
        return candidates.Concat(path).FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }

    /// <summary>
    /// A port free now, for a process to bind a moment later. Not one the kernel picks (port 0):
    /// those come from the ephemeral range, and any outgoing connection may take the same port as
    /// its source before the process binds it (a CI run: a ClientApi failed with "address already
    /// in use" while the bench test opened hundreds of sockets). So ports come from below that
    /// range and above the bench's fixed ones (12111-12113), handed out in turn so that no two
    /// callers of this test run get the same one.
    /// </summary>
    public static int FreePort()
    {
        const int first = 13_000;
        var end = Math.Min(EphemeralLow.Value, 31_000); // the bench's gateways start at 31000
        for (var tried = 0; tried < end - first; tried++)
        {
            var port = first + (int)((uint)Interlocked.Increment(ref _nextPort) % (uint)(end - first));
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // taken by something else: the next one
            }
        }

        throw new InvalidOperationException($"No free port in {first}-{end - 1}.");
    }

    private static int _nextPort = Random.Shared.Next(0, 10_000);

    private static readonly Lazy<int> EphemeralLow = new(() =>
    {
        try
        {
            return int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return 32_768; // Linux's default
        }
    });

    private static async Task RunAsync(string file, string arguments, bool asPostgres, bool throwOnError = true)
    {
        var start = asPostgres && IsRoot
            ? new ProcessStartInfo("runuser", $"-u postgres -- {file} {arguments}")
            : new ProcessStartInfo(file, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = Path.GetTempPath();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0 && throwOnError)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed ({process.ExitCode}): {await stderr}{await stdout}");
        }
    }
}
