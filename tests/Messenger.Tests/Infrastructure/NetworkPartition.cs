using System.Diagnostics;
using System.Globalization;

namespace Messenger.Tests.Infrastructure;

/// <summary>
/// Cuts one silo off from the other silos with iptables, as a network partition between hosts
/// would, while it keeps running and keeps reaching PostgreSQL and the ClientApis.
/// Everything lives in one chain of its own (<c>MSGPART_&lt;test pid&gt;_&lt;random&gt;</c>) jumped to from
/// OUTPUT, so removing it removes exactly what was added, and runs of other people on the same
/// machine (other ports, other chains) are untouched.
/// </summary>
/// <remarks>
/// Why not simply "drop 127.0.0.2 ↔ 127.0.0.3": on one kernel every connection to 127.0.0.0/8
/// starts from 127.0.0.1 unless the program binds its socket, and Orleans does not bind its
/// outgoing silo-to-silo sockets. So the rules pick out the isolated silo's traffic by what is
/// unique to it: its silo endpoint (address and port), and the connections its own process
/// sends on (iptables' owner match on the group id it was started with, remembered per
/// connection with a connmark so the other side's replies are dropped too).
/// All loopback packets pass through OUTPUT, so one chain there sees every one of them.
/// </remarks>
public sealed class NetworkPartition : IAsyncDisposable
{
    private const string ChainPrefix = "MSGPART_";

    private readonly string _chain;
    private readonly string _jump;
    private bool _removed;

    private NetworkPartition(string chain)
    {
        _chain = chain;
        _jump = $"OUTPUT -j {chain}";
    }

    /// <summary>The rules as iptables prints them, for the test's output.</summary>
    public IReadOnlyList<string> Rules { get; private set; } = [];

    /// <summary>Null when partitions can be made here; otherwise why not (the skip reason).</summary>
    public static string? WhyUnavailable()
    {
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            return "The partition test needs root on Linux to change iptables rules (CI runs .ci/run as root).";
        }

        if (Iptables is null)
        {
            return "The partition test needs iptables (Debian package 'iptables'; .ci/run installs it).";
        }

        if (Which("setpriv") is null)
        {
            return "The partition test needs setpriv (Debian package 'util-linux') to tell the isolated silo's packets apart.";
        }

        var (code, output) = Run(Iptables, "-w 10 -S OUTPUT");
        return code == 0 ? null : $"iptables does not work here ({output.Trim()}); the partition test needs it.";
    }

    /// <summary>A group id for a silo to run with, random so parallel runs do not share one.</summary>
    public static int NewGroupId() => Random.Shared.Next(60_000, 65_000);

    /// <summary>
    /// Drops, from now on, all traffic between <paramref name="isolated"/> and <paramref name="others"/>:
    /// nothing reaches or leaves its silo endpoint, and no connection its process makes reaches
    /// the other silos' addresses.
    /// </summary>
    public static NetworkPartition Isolate(SiloHost isolated, IReadOnlyList<SiloHost> others)
    {
        var groupId = isolated.GroupId ?? throw new ArgumentException("The isolated silo must run with a group id of its own.", nameof(isolated));
        RemoveLeftovers();

        var chain = $"{ChainPrefix}{Environment.ProcessId}_{Random.Shared.Next(0x100000, 0xFFFFFF):x6}";
        var mark = $"0x{Random.Shared.Next(0x10000, 0x7FFFFFFF):x}";
        var partition = new NetworkPartition(chain);

        // A test host that exits without disposing (Ctrl-C, a crash) still heals the network.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => partition.RemoveQuietly();
        var rules = new List<string>
        {
            // The other silos' connections to it, and its answers on them.
            $"-p tcp -d {isolated.Address} --dport {isolated.SiloPort} -j DROP",
            $"-p tcp -s {isolated.Address} --sport {isolated.SiloPort} -j DROP",

            // Its own connections (whatever their source address), both directions.
            $"-m owner --gid-owner {groupId} -j CONNMARK --set-mark {mark}",
        };
        foreach (var other in others)
        {
            rules.Add($"-m connmark --mark {mark} -d {other.Address} -j DROP");
            rules.Add($"-m connmark --mark {mark} -s {other.Address} -j DROP");
        }

        try
        {
            Must($"-N {chain}");
            foreach (var rule in rules)
            {
                Must($"-A {chain} {rule}");
            }

            Must($"-I {partition._jump}");
            partition.Rules = Run(Iptables!, $"-w 10 -S {chain}").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return partition;
        }
        catch
        {
            partition.Remove();
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        Remove();
        return ValueTask.CompletedTask;
    }

    /// <summary>Heals the partition: unhooks, empties and deletes the chain; throws if it is still there.</summary>
    private void Remove()
    {
        if (_removed)
        {
            return;
        }

        _removed = true;
        RemoveChain(_chain);
        if (ChainExists(_chain))
        {
            throw new InvalidOperationException($"iptables chain {_chain} could not be removed; remove it by hand: iptables -D {_jump}; iptables -F {_chain}; iptables -X {_chain}");
        }
    }

    private void RemoveQuietly()
    {
        try
        {
            Remove();
        }
        catch (InvalidOperationException)
        {
            // Nothing more can be done while the process exits; the next run removes it.
        }
    }

    // Each step is tried whatever the previous one did, so a half-made partition is removed too.
    private static void RemoveChain(string chain)
    {
        while (Run(Iptables!, $"-w 10 -D OUTPUT -j {chain}").ExitCode == 0)
        {
            // a jump inserted twice is removed twice
        }

        Run(Iptables!, $"-w 10 -F {chain}");
        Run(Iptables!, $"-w 10 -X {chain}");
    }

    private static bool ChainExists(string chain) => Run(Iptables!, $"-w 10 -S {chain}").ExitCode == 0;

    /// <summary>Chains of test processes that died before they could clean up (kill -9, a hang timeout).</summary>
    private static void RemoveLeftovers()
    {
        var chains = Run(Iptables!, "-w 10 -S").Output.Split('\n')
            .Where(line => line.StartsWith($"-N {ChainPrefix}", StringComparison.Ordinal))
            .Select(line => line[3..].Trim());
        foreach (var chain in chains)
        {
            var pid = int.Parse(chain[ChainPrefix.Length..chain.LastIndexOf('_')], CultureInfo.InvariantCulture);
            if (!Directory.Exists($"/proc/{pid}"))
            {
                RemoveChain(chain);
            }
        }
    }

    private static readonly string? Iptables = Which("iptables");

    private static string? Which(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/sbin").Append("/sbin")
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);

    private static void Must(string arguments)
    {
        var (code, output) = Run(Iptables!, $"-w 10 {arguments}");
        if (code != 0)
        {
            throw new InvalidOperationException($"iptables {arguments} failed ({code}): {output}");
        }
    }

    private static (int ExitCode, string Output) Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result + errors);
    }
}
