using Messenger.Grains.Interfaces;
using Messenger.Grains.Interfaces.Models;

namespace Messenger.ClientApi.Sessions;

/// <summary>
/// Renews the leases of every session this ClientApi holds, one call per user. If this
/// process dies, the renewals stop and user grains drop its sessions when the lease runs out;
/// a user grain that moved to another silo learns the sessions again from the next renewal.
/// </summary>
public sealed partial class SessionLeaseRenewer(SessionRegistry sessions, GrainReferences grains, ILogger<SessionLeaseRenewer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(SessionLeases.RenewEvery);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var byUser = sessions.All().GroupBy(s => s.UserId);
            await Parallel.ForEachAsync(byUser, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = stoppingToken }, async (user, _) =>
            {
                try
                {
                    await grains.Get<IUserGrain>(user.Key).RenewSessions(user.Select(s => s.Lease).ToList());
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    LogRenewFailed(ex, user.Key);
                }
            });
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the sessions of user {UserId} failed; retrying next round")]
    private partial void LogRenewFailed(Exception ex, string userId);
}
