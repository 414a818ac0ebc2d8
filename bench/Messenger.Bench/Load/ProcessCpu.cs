using System.Diagnostics;
using System.Globalization;

namespace Messenger.Bench.Load;

/// <summary>
/// CPU time used so far by each of the cluster's processes (found through run.sh's pid files, as
/// <see cref="ProcessMemory"/> finds them) and by the generator itself. Two readings around a
/// measured phase give the cores each process used and the CPU each send cost, figures that
/// compare across runs where one run's p99 does not (a fixed run's p99 at the same rate ranged
/// 54–139 ms on one machine in one hour; docs/performance.md, "Session 13"). They also give how
/// many of each process's threads were, on average, ready to run with no core free: on a machine
/// that busy, every stage of a send waits for a CPU, and that waiting is what its tail is made of
/// (docs/performance.md, "Session 21").
/// Read from /proc, so Linux only; elsewhere a reading is empty.
/// </summary>
public sealed class ProcessCpu
{
    /// <summary>The generator's own entry (the relay of <c>baseline</c> runs in it too).</summary>
    public const string Generator = "generator";

    // /proc reports times in clock ticks of USER_HZ, which Linux fixes at 100 for user space.
    private const double TicksPerSecond = 100;

    private readonly long _timestamp;
    private readonly Dictionary<string, double> _seconds;
    private readonly Dictionary<string, double> _waitedSeconds;

    private ProcessCpu(long timestamp, Dictionary<string, double> seconds, Dictionary<string, double> waitedSeconds)
    {
        _timestamp = timestamp;
        _seconds = seconds;
        _waitedSeconds = waitedSeconds;
    }

    /// <summary>
    /// Reads CPU seconds used so far by each process of <paramref name="pidDirectory"/> and the
    /// generator. Not the machine's busy time from /proc/stat: that is sampled by ticks, and on
    /// this VM it came out below the sum of the processes' own figures (1.38 against 1.57 cores).
    /// </summary>
    public static ProcessCpu Read(string? pidDirectory)
    {
        var seconds = new Dictionary<string, double>(StringComparer.Ordinal);
        var waitedSeconds = new Dictionary<string, double>(StringComparer.Ordinal);
        if (File.Exists("/proc/self/stat"))
        {
            var named = ClusterPids.Read(pidDirectory);
            var children = named.Count > 0 ? LiveChildren(named.Values.ToHashSet()) : [];
            foreach (var (name, pid) in named)
            {
                if (Ticks($"/proc/{pid}/stat", children: true) is { } own)
                {
                    var family = children.GetValueOrDefault(pid) ?? [];
                    seconds[name] = (own + family.Sum(c => c.Ticks)) / TicksPerSecond;
                    waitedSeconds[name] = (WaitedNs(pid) + family.Sum(c => WaitedNs(c.Pid))) / 1e9;
                }
            }

            if (Ticks("/proc/self/stat", children: false) is { } generator)
            {
                seconds[Generator] = generator / TicksPerSecond;
                waitedSeconds[Generator] = WaitedNs(Environment.ProcessId) / 1e9;
            }
        }

        return new ProcessCpu(Stopwatch.GetTimestamp(), seconds, waitedSeconds);
    }

    /// <summary>Cores each process used between <paramref name="earlier"/> and this reading (CPU seconds per second).</summary>
    public Dictionary<string, double> CoresSince(ProcessCpu earlier) => PerSecondSince(earlier, r => r._seconds);

    /// <summary>
    /// Threads of each process ready to run with no core free, on average, between
    /// <paramref name="earlier"/> and this reading: the time its live threads spent waiting in
    /// the scheduler's run queue, per second. Threads that ended meanwhile are not counted.
    /// </summary>
    public Dictionary<string, double> ThreadsWaitingSince(ProcessCpu earlier) => PerSecondSince(earlier, r => r._waitedSeconds);

    /// <summary>How much each process's running total grew per second between the two readings.</summary>
    private Dictionary<string, double> PerSecondSince(ProcessCpu earlier, Func<ProcessCpu, Dictionary<string, double>> totals)
    {
        var elapsed = Stopwatch.GetElapsedTime(earlier._timestamp, _timestamp).TotalSeconds;
        var rates = new Dictionary<string, double>(StringComparer.Ordinal);
        if (elapsed <= 0)
        {
            return rates;
        }

        var before = totals(earlier);
        foreach (var (name, total) in totals(this))
        {
            if (before.TryGetValue(name, out var then))
            {
                rates[name] = Math.Max(0, total - then) / elapsed;
            }
        }

        return rates;
    }

    /// <summary>
    /// The live children of each of <paramref name="parents"/> with their CPU ticks, in one pass
    /// over /proc. PostgreSQL's work is done by the postmaster's children, one backend per
    /// connection; children that have exited and been waited for are in the parent's own figures
    /// (cutime, cstime).
    /// </summary>
    private static Dictionary<int, List<(int Pid, long Ticks)>> LiveChildren(HashSet<int> parents)
    {
        var children = new Dictionary<int, List<(int Pid, long Ticks)>>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid)
                && Fields($"{directory}/stat") is { } fields
                && int.TryParse(fields[1], CultureInfo.InvariantCulture, out var parent)
                && parents.Contains(parent))
            {
                if (!children.TryGetValue(parent, out var list))
                {
                    children[parent] = list = [];
                }

                list.Add((pid, Sum(fields, children: false)));
            }
        }

        return children;
    }

    /// <summary>
    /// Nanoseconds the live threads of <paramref name="pid"/> have spent ready to run but waiting
    /// for a CPU: the second figure of each thread's schedstat file. There is no per-process
    /// total in /proc, so the threads are summed.
    /// </summary>
    private static long WaitedNs(int pid)
    {
        long total = 0;
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                total += ThreadWaitedNs($"{task}/schedstat");
            }
        }
        catch (IOException)
        {
            // the process ended while its threads were listed
        }
        catch (UnauthorizedAccessException)
        {
        }

        return total;
    }

    private static long ThreadWaitedNs(string schedstatPath)
    {
        try
        {
            var figures = File.ReadAllText(schedstatPath).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return figures.Length > 1 && long.TryParse(figures[1], CultureInfo.InvariantCulture, out var waited) ? waited : 0;
        }
        catch (IOException)
        {
            return 0; // the thread ended between listing and reading
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static long? Ticks(string statPath, bool children) => Fields(statPath) is { } fields ? Sum(fields, children) : null;

    /// <summary>utime + stime (and cutime + cstime of waited-for children), counted from the field after the command name.</summary>
    private static long Sum(string[] fields, bool children)
    {
        // fields[0] is state (the stat file's 3rd field): utime is the 14th field, so fields[11].
        var total = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return children ? total + long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture) : total;
    }

    /// <summary>The fields of a /proc stat file after "(command)"; a command name may hold spaces and parentheses.</summary>
    private static string[]? Fields(string statPath)
    {
        try
        {
            var text = File.ReadAllText(statPath);
            var end = text.LastIndexOf(')');
            return end < 0 ? null : text[(end + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (IOException)
        {
            return null; // the process ended between listing and reading
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
