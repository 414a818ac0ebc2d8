using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Messenger.Tests.Infrastructure;

/// <summary>
/// Messenger as operators run it: separate Silo and ClientApi processes (the built binaries),
/// on one fresh PostgreSQL database, finding each other only through its membership table.
/// </summary>
public sealed class ProcessCluster : IAsyncDisposable
{
    private readonly Dictionary<string, Process> _processes = [];
    private readonly Dictionary<string, List<string>> _logs = [];
    private readonly string _clusterId = $"e2e-{Guid.NewGuid():N}";

    public string ConnectionString { get; private set; } = "";

    /// <summary>The first ClientApi.</summary>
    public Uri ClientApiUrl => ClientApiUrls[0];

    /// <summary>ClientApi i is named <c>clientapi-i</c>.</summary>
    public List<Uri> ClientApiUrls { get; } = [];

    public static async Task<ProcessCluster> StartAsync(int silos, int clientApis = 1, string? connectionString = null)
    {
        var cluster = connectionString is null ? await CreateEmptyAsync() : new ProcessCluster { ConnectionString = connectionString };
        try
        {
            for (var i = 0; i < silos; i++)
            {
                cluster.StartSilo($"silo-{i}");
            }

            for (var i = 0; i < clientApis; i++)
            {
                await cluster.StartClientApiAsync($"clientapi-{i}");
            }

            return cluster;
        }
        catch
        {
            // The caller never gets the cluster to dispose: a failed start would leave its silos running.
            await cluster.DisposeAsync();
            throw;
        }
    }
    /// <summary>A fresh database and nothing running yet: the caller starts each process.</summary>
    public static async Task<ProcessCluster> CreateEmptyAsync() =>
        new() { ConnectionString = await (await PostgresServer.Shared).CreateDatabaseAsync() };

    /// <summary>The Orleans cluster id of this cluster's rows in the membership table.</summary>
    public string ClusterId => _clusterId;

    /// <summary>Starts a ClientApi process on a free port of 127.0.0.1, adds it to <see cref="ClientApiUrls"/> and waits until it is ready.</summary>
    public async Task<Uri> StartClientApiAsync(string name)
    {
        var url = new Uri($"http://127.0.0.1:{PostgresServer.FreePort()}");
        ClientApiUrls.Add(url);
        Start(name, "ClientApi", "Messenger.ClientApi.dll", $"--urls {url}", new()
        {
            ["Messenger__ClientApi__InstanceId"] = "e2e",
            ["Messenger__Passwords__IterationCount"] = "1000",
        });
        await WaitUntilAsync(async http => (await http.GetAsync(new Uri(url, "/health/ready"))).IsSuccessStatusCode, $"{name} to be ready");
        return url;
    }

    /// <summary>
    /// A silo as if on a host of its own: it binds and advertises <paramref name="address"/>
    /// (127.0.0.2, 127.0.0.3, …) on free ports. With <paramref name="groupId"/> the process runs
    /// with that group id (uid stays root), so iptables' owner match can pick out the packets
    /// it sends: on one kernel its outgoing connections start from 127.0.0.1, not from its address.
    /// </summary>
    public SiloHost StartSiloOnHost(string name, string address, int? groupId = null)
    {
        var host = new SiloHost(name, address, PostgresServer.FreePort(), PostgresServer.FreePort(), groupId);
        Start(name, "Silo", "Messenger.Silo.dll", "", new()
        {
            ["Messenger__Silo__Address"] = address,
            ["Messenger__Silo__SiloPort"] = host.SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Messenger__Silo__GatewayPort"] = host.GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Messenger__Silo__Name"] = name,
        }, groupId);
        return host;
    }

    /// <summary>Waits for a process to end by itself; false if it is still running after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(string name, TimeSpan timeout)
    {
        _killed.Add(name); // its exit is expected from now on, not a failure of WaitUntilAsync
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _processes[name].WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public int ExitCode(string name) => _processes[name].ExitCode;

    /// <summary>The process ids of the silos and ClientApis this cluster runs now, by name.</summary>
    public IReadOnlyDictionary<string, int> ProcessIds => _processes.Where(p => !p.Value.HasExited).ToDictionary(p => p.Key, p => p.Value.Id);

    /// <summary>How many of the kept log lines of a process contain <paramref name="text"/>.</summary>
    public int CountLogLines(string name, string text)
    {
        lock (_logs)
        {
            return _logs[name].Count(line => line.Contains(text, StringComparison.Ordinal));
        }
    }

    /// <summary>Starts a silo on free ports; without <paramref name="gateway"/> it takes no client connections (gateway port 0).</summary>
    public void StartSilo(string name, bool gateway = true) => Start(name, "Silo", "Messenger.Silo.dll", "", new()
    {
        ["Messenger__Silo__SiloPort"] = PostgresServer.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Messenger__Silo__GatewayPort"] = gateway ? PostgresServer.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture) : "0",
        ["Messenger__Silo__Name"] = name,
    });

    /// <summary>kill -9: no goodbye, no graceful shutdown.</summary>
    public void Kill(string name)
    {
        _killed.Add(name);
        _processes[name].Kill(entireProcessTree: true);
        _processes[name].WaitForExit();
    }

    /// <summary>SIGTERM, as an operator or orchestrator stops a process; returns its exit code.</summary>
    public async Task<int> TerminateAsync(string name, TimeSpan? within = null)
    {
        var process = _processes[name];
        _killed.Add(name);
        using (var kill = Process.Start("kill", $"-TERM {process.Id}"))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{name} did not stop within {within ?? TimeSpan.FromSeconds(60)} of SIGTERM:\n{Log(name)}");
        }

        return process.ExitCode;
    }

    /// <summary>Starts a silo that was killed or stopped again, under the same name (new ports).</summary>
    public void RestartSilo(string name)
    {
        _killed.Remove(name);
        _processes.Remove(name, out var old);
        old?.Dispose();
        StartSilo(name);
    }

    public string Log(string name, int lines = 40)
    {
        lock (_logs)
        {
            return string.Join('\n', _logs[name].TakeLast(lines));
        }
    }

    /// <summary>Polls until the condition holds; on timeout says what it waited for and shows the logs.</summary>
    public async Task WaitUntilAsync(Func<HttpClient, Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            try
            {
                if (await condition(http))
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
            {
                // not up yet
            }

            var dead = _processes.FirstOrDefault(p => p.Value.HasExited && !_killed.Contains(p.Key));
            if (dead.Value is not null)
            {
                throw new InvalidOperationException($"{dead.Key} exited ({dead.Value.ExitCode}) while waiting for {what}:\n{Log(dead.Key)}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.\n" + string.Join("\n", _processes.Keys.Select(k => $"--- {k}\n{Log(k)}")));
            }

            await Task.Delay(250);
        }
    }

    private readonly HashSet<string> _killed = [];

    public async Task<int> ActiveSilosAsync(string token)
    {
        using var http = new HttpClient { BaseAddress = ClientApiUrl };
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var cluster = await http.GetFromJsonAsync<JsonElement>("/api/v1/cluster");
        return cluster.GetProperty("silos").EnumerateArray().Count(s => s.GetProperty("status").GetString() == "Active");
    }

    /// <summary>How many grains of a type (short name, e.g. ConversationGrain) the named silo hosts now.</summary>
    public async Task<int> GrainsOnSiloAsync(string token, string silo, string grainType)
    {
        using var http = new HttpClient { BaseAddress = ClientApiUrl };
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var cluster = await http.GetFromJsonAsync<JsonElement>("/api/v1/cluster");
        return cluster.GetProperty("silos").EnumerateArray()
            .Where(s => s.GetProperty("name").GetString() == silo && s.GetProperty("status").GetString() == "Active")
            .Select(s => s.TryGetProperty("activations", out var a) && a.TryGetProperty(grainType, out var n) ? n.GetInt32() : 0)
            .Sum();
    }

    private void Start(string name, string project, string dll, string arguments, Dictionary<string, string> environment, int? groupId = null)
    {
        var dir = BinaryFolder(project);
        var command = $"\"{Path.Combine(dir, dll)}\" {arguments}";

        // setpriv execs dotnet in place, so the pid (and kill) stays the silo's own.
        var start = new ProcessStartInfo(
            groupId is null ? "dotnet" : "setpriv",
            groupId is null ? command : $"--regid {groupId} --clear-groups -- dotnet {command}")
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["Messenger__Postgres"] = ConnectionString;
        start.Environment["Messenger__ClusterId"] = _clusterId;
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__Console__TimestampFormat"] = "HH:mm:ss.fff ";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var log = new List<string>();
        lock (_logs)
        {
            _logs[name] = log;
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes[name] = process;
    }

    private void Append(List<string> log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logs)
        {
            log.Add(line);
            if (log.Count > 2000)
            {
                log.RemoveRange(0, 1000);
            }
        }
    }

    /// <summary>The build output of a project folder of the repository, in the same configuration as these tests.</summary>
    public static string BinaryFolder(string project)
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = here.Parent!.Name; // …/bin/<Configuration>/net10.0/
        var root = here;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Messenger.sln")))
        {
            root = root.Parent;
        }

        var folder = Path.Combine(root?.FullName ?? throw new InvalidOperationException("Messenger.sln not found above the test binaries."), project, "bin", configuration, "net10.0");
        return Directory.Exists(folder) ? folder : throw new InvalidOperationException($"{folder} does not exist; build the solution first.");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, process) in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }
    }
}
