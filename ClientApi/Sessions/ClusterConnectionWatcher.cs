namespace Messenger.ClientApi.Sessions;

/// <summary>
/// Tells this process when the Orleans client loses a gateway (its silo died or stopped) or gets
/// its connection to the cluster back. Kept free of dependencies because the Orleans client
/// resolves its status observers while it is itself being built.
/// </summary>
public sealed class ClusterConnectionWatcher : IClusterConnectionStatusObserver
{
    /// <summary>Raised on the Orleans client's thread; handlers must return at once.</summary>
    public event Action? GatewayLost;

    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        if (currentNumberOfGateways < previousNumberOfGateways || connectionRecovered)
        {
            GatewayLost?.Invoke();
        }
    }

    public void NotifyClusterConnectionLost()
    {
        // What follows is a recovery (connectionRecovered above) or the process failing its health check.
    }
}
