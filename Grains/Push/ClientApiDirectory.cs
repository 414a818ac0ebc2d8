using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messenger.Grains.Push;

/// <summary>
/// This silo's copy of the live ClientApi list, refreshed every second, so that publishing an
/// event never waits on the directory grain (a singleton must stay off the hot path).
/// </summary>
public sealed partial class ClientApiDirectory(IGrainFactory grains, ILogger<ClientApiDirectory> logger) : BackgroundService
{
    /// <summary>A call stuck on a dead silo must not freeze the loop: the list would go stale for good.</summary>
    private static readonly TimeSpan RefreshTimeout = TimeSpan.FromSeconds(3);

    private volatile IReadOnlyDictionary<string, string> _live = new Dictionary<string, string>();

    /// <summary>Live ClientApi ids and the key of the push stream each listens on.</summary>
    public IReadOnlyDictionary<string, string> Live => _live;

    /// <summary>Fetches the list now (also used by tests that must not wait for the timer).</summary>
    public async Task RefreshAsync()
    {
        var view = await grains.GetGrain<IClientApiDirectoryGrain>(0).GetLive().WaitAsync(RefreshTimeout);
        if (view.Complete)
        {
            _live = view.StreamKeys;
            return;
        }

        // A fresh directory (its silo died or it moved) has not heard from every ClientApi yet:
        // taking its list as it is would stop every push to the others until they next beat.
        // Keep them at their last known streams; the list is whole again after one lease.
        var merged = new Dictionary<string, string>(_live, StringComparer.Ordinal);
        foreach (var (clientApiId, streamKey) in view.StreamKeys)
        {
            merged[clientApiId] = streamKey;
        }

        _live = merged;
    }


    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(ClientApiLeases.SiloRefreshEvery);
        do
        {
            try
            {
                await RefreshAsync();
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Also OperationCanceledException: Orleans throws it for calls cut short by a silo
                // failure, and letting it end this loop left the list stale for good (measured).
                // The silo may still be joining, or the directory moving; keep the last list.
                LogRefreshFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing the ClientApi directory failed; pushes go to the last known streams")]
    private partial void LogRefreshFailed(Exception ex);
}
