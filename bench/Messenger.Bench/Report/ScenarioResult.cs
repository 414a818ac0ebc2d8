using System.Text.Json.Serialization;

namespace Messenger.Bench.Report;

/// <summary>One scenario's figures, as printed and as written to the JSON file.</summary>
public sealed record ScenarioResult
{
    public required string Scenario { get; init; }

    /// <summary>Acknowledged sends per second over the measured window.</summary>
    public double SendsPerSec { get; init; }

    /// <summary>Pushes received per second, on every session of every member.</summary>
    public double DeliveriesPerSec { get; init; }

    /// <summary>Send (scheduled time) to delivery on another session.</summary>
    public LatencySummary LatencyMs { get; init; } = new(0, 0, 0, 0, 0, 0);

    /// <summary>Send (scheduled time) to its ack.</summary>
    public LatencySummary? AckLatencyMs { get; init; }

    public long Sent { get; init; }

    public long Acknowledged { get; init; }

    /// <summary>Acknowledged messages missing from the stored log (must be 0).</summary>
    public long Lost { get; init; }

    /// <summary>Messages a session received more than once (must be 0).</summary>
    public long Duplicates { get; init; }

    /// <summary>Stored seqs missing in a conversation's 1..n (must be 0).</summary>
    public long Gaps { get; init; }

    public long Errors { get; init; }

    public Dictionary<string, long> ErrorsByCode { get; init; } = [];

    /// <summary>Sends that got neither an ack nor an error before the drain ended.</summary>
    public long Unanswered { get; init; }

    public long PushesMissed { get; init; }

    public long PushesRecovered { get; init; }

    public double DurationSec { get; init; }

    public double TargetRate { get; init; }

    /// <summary>Scenario-specific figures (memory per session, connects/s, ratios…).</summary>
    public Dictionary<string, double> Extra { get; init; } = [];

    public List<string> Notes { get; init; } = [];

    /// <summary>chaos: every kill and restart, with the stalls that followed it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<Chaos.KillRecord>? Kills { get; init; }

    public bool Passed => Lost == 0 && Duplicates == 0 && Gaps == 0;
}
