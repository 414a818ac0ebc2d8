namespace Messenger.Bench.Load;

/// <summary>
/// What one driven phase did; <see cref="P99"/> is the delivery p99 over the whole phase, in ms;
/// <see cref="CpuCores"/> the cores each process used meanwhile and <see cref="ThreadsWaiting"/>
/// how many of its threads were ready to run with no core free, on average (<see cref="ProcessCpu"/>).
/// </summary>
public sealed record PhaseStats(long Issued, double AckedPerSec, double DeliveriesPerSec, long Errors, double WorstP99, double RecoveredAtSec, double Seconds, double P99, IReadOnlyDictionary<string, double> CpuCores, IReadOnlyDictionary<string, double> ThreadsWaiting);
