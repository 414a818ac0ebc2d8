using System.Diagnostics;
using System.Security.Cryptography;

namespace Messenger.Bench.Report;

/// <summary>
/// Two quick measures of the machine, taken before each scenario, so that runs on different
/// machines of the "same" kind, or at different hours, can be set side by side: the cost of one
/// system call (a one-byte write to /dev/null) and of one PBKDF2 hash (the ClientApi's login hash,
/// pure CPU in one thread). Messenger makes a socket call per frame on each side; on run 14's VM,
/// whose calls took about 1,450 ns, the relay's and Messenger's maxima were half of run 13's
/// (docs/performance.md, "Run 14"), and the same VM's speed moved within the hour (a hash took
/// 70 ms, later 45). Each is the best of three tries, so a busy moment does not stand for the
/// machine.
/// </summary>
public sealed record MachineProbe(double? SyscallNanoseconds, double Pbkdf2Milliseconds)
{
    private const int Calls = 100_000;

    public static MachineProbe Measure() =>
        new(File.Exists("/dev/null") ? Best(SyscallOnce) : null, Best(Pbkdf2Once));

    private static double Best(Func<double> probe) => Enumerable.Range(0, 3).Min(_ => probe());

    private static double SyscallOnce()
    {
        using var devNull = File.OpenHandle("/dev/null", FileMode.Open, FileAccess.Write);
        ReadOnlySpan<byte> one = [0];
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < Calls; i++)
        {
            RandomAccess.Write(devNull, one, 0);
        }

        return Stopwatch.GetElapsedTime(started).TotalNanoseconds / Calls;
    }

    private static double Pbkdf2Once()
    {
        var started = Stopwatch.GetTimestamp();
        Rfc2898DeriveBytes.Pbkdf2("benchmark"u8, "sixteen byte salt"u8, 100_000, HashAlgorithmName.SHA512, 32);
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    public override string ToString() =>
        $"system call {(SyscallNanoseconds is { } ns ? $"{ns:F0} ns" : "not measured")}, PBKDF2-SHA512 x100,000 {Pbkdf2Milliseconds:F1} ms";
}
