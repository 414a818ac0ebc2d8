namespace Messenger.Bench.Load;

/// <summary>What one driven phase did.</summary>
public sealed record PhaseStats(long Issued, double AckedPerSec, double DeliveriesPerSec, long Errors, double WorstP99, double RecoveredAtSec, double Seconds);
