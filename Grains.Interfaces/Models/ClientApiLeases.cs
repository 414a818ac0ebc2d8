namespace Messenger.Grains.Interfaces.Models;

/// <summary>
/// How ClientApis stay known to the silos: a heartbeat every <see cref="HeartbeatEvery"/>,
/// forgotten after <see cref="Duration"/> without one; silos refresh their copy of the list
/// every <see cref="SiloRefreshEvery"/>, so a ClientApi waits that long before serving.
/// </summary>
public static class ClientApiLeases
{
    public static readonly TimeSpan HeartbeatEvery = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan Duration = TimeSpan.FromSeconds(20);

    public static readonly TimeSpan SiloRefreshEvery = TimeSpan.FromSeconds(1);
}
