namespace Messenger.ClientApi.Sessions;

/// <summary>
/// Watches the cluster's membership for silos declared dead and tells
/// <see cref="ClusterConnectionWatcher"/>, so that calls lost with such a silo are repeated
/// instead of waiting out the response timeout.
/// </summary>
/// <remarks>
/// A call goes out through one of this ClientApi's gateways; the gateway silo forwards it to the
/// silo of its grain and keeps no record of it. When that silo dies (kill -9) the call is gone,
/// and nothing fails it: the gateway is still up, and Orleans' client fails calls only by their
/// timeout. The client has no membership events of its own, so this asks the cluster for its
/// view once a second and compares; the silo that answers re-reads the membership table for it,
/// one small query a second per ClientApi. A silo that stops gracefully answers or forwards its
/// calls before it is marked dead, so repeating what still waits then only costs a repeat.
/// </remarks>
public sealed partial class SiloDeathWatcher(
    IGrainFactory grains, ClusterConnectionWatcher connection, ILogger<SiloDeathWatcher> logger) : BackgroundService
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromSeconds(1);

    // The gateway silo asked may itself be dying; the next poll asks again.
    private static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollEvery);
        HashSet<SiloAddress>? deadBefore = null;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            Dictionary<SiloAddress, SiloStatus> hosts;
            try
            {
                hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: false).WaitAsync(PollTimeout, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogViewUnavailable(ex.GetType().Name);
                continue;
            }

            var dead = hosts.Where(h => h.Value == SiloStatus.Dead).Select(h => h.Key).ToHashSet();
            var newlyDead = deadBefore is null ? [] : dead.Except(deadBefore).ToList();
            deadBefore = dead;
            if (newlyDead.Count > 0)
            {
                LogSiloDeclaredDead(string.Join(", ", newlyDead));
                connection.SiloDeclaredDead();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Silos} declared dead; repeating the calls still waiting on the cluster")]
    private partial void LogSiloDeclaredDead(string silos);

    // Debug: expected while a silo dies; the next poll asks again.
    [LoggerMessage(Level = LogLevel.Debug, Message = "The cluster's membership view did not come ({Error}); asking again")]
    private partial void LogViewUnavailable(string error);
}
