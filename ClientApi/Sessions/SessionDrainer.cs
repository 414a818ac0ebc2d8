using Microsoft.Extensions.Options;

namespace Messenger.ClientApi.Sessions;

/// <summary>
/// Graceful stop of the ClientApi (SIGTERM): new sockets are refused, every session finishes
/// its sends in flight and is closed with 1001 so its client reconnects at once to another
/// instance. Starts on <see cref="IHostApplicationLifetime.ApplicationStopping"/>, before any
/// service stops, and is registered after the push subscriber so pushes keep flowing until the
/// sockets are closed.
/// </summary>
public sealed partial class SessionDrainer(
    SessionRegistry sessions,
    IHostApplicationLifetime lifetime,
    IOptions<WebSocketSessionOptions> options,
    ILogger<SessionDrainer> logger) : IHostedService
{
    private Task _drained = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(() => _drained = DrainAsync());
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _drained.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout won; the remaining sockets are aborted with the process.
        }
    }

    private async Task DrainAsync()
    {
        sessions.StopAccepting();
        var all = sessions.All();
        LogDraining(all.Count);
        await Task.WhenAll(all.Select(s => s.DrainAsync(options.Value.DrainTimeout)));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: draining {Sessions} session(s) and closing them with 1001")]
    private partial void LogDraining(int sessions);
}
