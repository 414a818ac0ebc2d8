using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messenger.Grains.Push;

/// <summary>
/// This silo's copy of the live ClientApi list, refreshed every second, so that publishing an
/// event never waits on the directory grain (a singleton must stay off the hot path).
/// </summary>
public sealed partial class ClientApiDirectory(IGrainFactory grains, ILogger<ClientApiDirectory> logger) : BackgroundService
{
    private volatile IReadOnlyList<string> _live = [];

    public IReadOnlyList<string> Live => _live;

    /// <summary>Fetches the list now (also used by tests that must not wait for the timer).</summary>
    public async Task RefreshAsync() => _live = await grains.GetGrain<IClientApiDirectoryGrain>(0).GetLive();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(ClientApiLeases.SiloRefreshEvery);
        do
        {
            try
            {
                await RefreshAsync();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The silo may still be joining, or the directory moving; keep the last list.
                LogRefreshFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refreshing the ClientApi directory failed")]
    private partial void LogRefreshFailed(Exception ex);
}
