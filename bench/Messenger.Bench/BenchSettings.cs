namespace Messenger.Bench;

/// <summary>The knobs of one run, from the command line.</summary>
public sealed record BenchSettings
{
    public required Uri Url { get; init; }

    public required IReadOnlyList<string> Scenarios { get; init; }

    public bool Quick { get; init; }

    public bool FindMax { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>True when --duration was given; chaos has a longer default of its own.</summary>
    public bool DurationGiven { get; init; }

    /// <summary>ClientApi i listens on <see cref="Url"/>'s port + i (run.sh's layout); chaos spreads users over all of them.</summary>
    public int ClientApis { get; init; } = 1;

    /// <summary>chaos: time between the end of one kill-and-restart and the next kill.</summary>
    public TimeSpan ChaosInterval { get; init; } = TimeSpan.FromSeconds(12);

    /// <summary>Target sends/s per scenario when not searching for the maximum.</summary>
    public double? Rate { get; init; }

    public int Pairs { get; init; } = 100;

    public int Groups { get; init; } = 20;

    public int RoomSize { get; init; } = 500;

    public int RoomSenders { get; init; } = 5;

    public int IdleSessions { get; init; } = 10_000;

    public string? PidDirectory { get; init; }

    public string? JsonPath { get; init; }

    public int TextLength { get; init; } = 64;
}
