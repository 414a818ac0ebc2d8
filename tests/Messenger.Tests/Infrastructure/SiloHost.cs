namespace Messenger.Tests.Infrastructure;

/// <summary>
/// A silo process started as if on a host of its own: the loopback address it binds and
/// advertises, its ports, and the group id it runs with (if any) for iptables' owner match.
/// </summary>
public sealed record SiloHost(string Name, string Address, int SiloPort, int GatewayPort, int? GroupId);
