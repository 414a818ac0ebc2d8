using Messenger.Grains.Interfaces;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Messenger.ClientApi.Hosting;

/// <summary>Ready when a silo answers and that silo reaches PostgreSQL.</summary>
public sealed class ClusterHealthCheck(IGrainFactory grains) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await grains.GetGrain<IHealthGrain>(0).CheckDatabase().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("The cluster or the database is unreachable.", ex);
        }
    }
}
