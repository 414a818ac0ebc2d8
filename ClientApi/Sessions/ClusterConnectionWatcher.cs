namespace Messenger.ClientApi.Sessions;

/// <summary>
/// Tells this process when calls waiting on the cluster may have been lost: the Orleans client
/// lost a gateway (its silo died or stopped) or got its connection to the cluster back, or a
/// silo was declared dead (<see cref="SiloDeathWatcher"/> reports that). Kept free of
/// dependencies because the Orleans client resolves its status observers while it is itself
/// being built.
/// </summary>
public sealed class ClusterConnectionWatcher : IClusterConnectionStatusObserver
{
    /// <summary>Raised on the Orleans client's thread or the watcher's; handlers must return at once.</summary>
    public event Action? CallsMayBeLost;

    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        if (currentNumberOfGateways < previousNumberOfGateways || connectionRecovered)
        {
            CallsMayBeLost?.Invoke();
        }
    }

    public void NotifyClusterConnectionLost()
    {
        // What follows is a recovery (connectionRecovered above) or the process failing its health check.
    }

    /// <summary>
    /// A silo was declared dead. A call this process sent through another silo's gateway to a
    /// grain on it was lost with it, and no gateway of this process closed to say so.
    /// </summary>
    public void SiloDeclaredDead() => CallsMayBeLost?.Invoke();
}
