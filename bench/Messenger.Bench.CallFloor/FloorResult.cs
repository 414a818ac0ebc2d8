namespace Messenger.Bench.CallFloor;

/// <summary>One rate's measurement: calls answered, and each process's CPU time per call.</summary>
internal sealed record FloorResult(
    int TargetRate,
    double CallsPerSec,
    long Failed,
    IReadOnlyDictionary<string, double> CpuUsPerCall)
{
    public double TotalCpuUsPerCall => CpuUsPerCall.Values.Sum();
}
