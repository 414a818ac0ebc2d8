namespace Messenger.Bench.Chaos;

/// <summary>A stretch of the run (seconds since the load started) in which something was owed and nothing came.</summary>
public readonly record struct StallWindow(double StartSec, double EndSec)
{
    public double Seconds => EndSec - StartSec;
}
