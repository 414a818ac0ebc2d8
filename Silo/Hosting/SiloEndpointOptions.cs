namespace Messenger.Silo.Hosting;

/// <summary>Where this silo listens and what it advertises. Bound from <c>Messenger:Silo</c>.</summary>
public sealed class SiloEndpointOptions
{
    public const string Section = "Messenger:Silo";

    /// <summary>The address other silos and clients reach this silo on (also bound).</summary>
    public string Address { get; set; } = "127.0.0.1";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>A readable name for logs and the cluster view; defaults to host and port.</summary>
    public string? Name { get; set; }
}
