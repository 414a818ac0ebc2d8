namespace Messenger.Bench.Chaos;

/// <summary>
/// One kill and restart by the chaos driver. Times are seconds since the load started;
/// <see cref="ExitSec"/> is signal → process gone, <see cref="RestartSec"/> restart requested →
/// healthy again (silo Active in the cluster view, ClientApi ready). The stalls are the longest
/// acknowledgement and push stall windows that began after this kill and before the next one.
/// </summary>
public sealed record KillRecord(
    double AtSec,
    string Target,
    string Signal,
    double ExitSec,
    double RestartSec,
    bool Healthy,
    string? Note)
{
    public double AckStallSec { get; init; }

    public double PushStallSec { get; init; }

    public double PushStallConnectedSec { get; init; }
}
