using Messenger.Grains.Interfaces;
using Messenger.Grains.Interfaces.Models;

namespace Messenger.ClientApi.Sessions;

/// <summary>
/// Keeps this ClientApi in the directory the silos publish to. Start-up waits until the silos
/// have refreshed their copy, so no push is published past a session that just connected.
/// </summary>
public sealed partial class ClientApiHeartbeat(IGrainFactory grains, ClientApiIdentity identity, PushSubscriber subscriber, ILogger<ClientApiHeartbeat> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await subscriber.HeartbeatAsync(cancellationToken);
        await Task.Delay(ClientApiLeases.SiloRefreshEvery * 1.5, cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await grains.GetGrain<IClientApiDirectoryGrain>(0).Remove(identity.InstanceId);
        }
        catch (Exception ex)
        {
            LogHeartbeatFailed(ex); // the lease runs out by itself
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(ClientApiLeases.HeartbeatEvery);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await subscriber.HeartbeatAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogHeartbeatFailed(ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "ClientApi heartbeat failed; retrying")]
    private partial void LogHeartbeatFailed(Exception ex);
}
