using Messenger.ClientApi.Contracts;
using Messenger.ClientApi.Errors;
using Messenger.ClientApi.Sessions;
using Messenger.Grains.Interfaces.Models;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Messenger.ClientApi.Apis;

/// <summary>How the system is laid out right now: for people learning it, and for operators.</summary>
public static class ClusterApi
{
    public static RouteGroupBuilder MapCluster(this RouteGroupBuilder api)
    {
        api.MapGet("/cluster", GetClusterAsync).WithTags("Cluster").WithSummary("The silos and this ClientApi, right now");
        return api;
    }

    /// <summary>The silos of the membership table and this ClientApi. Operators turn it off with <c>Messenger:ClientApi:ClusterView=false</c>.</summary>
    private static async Task<Results<Ok<ClusterResponse>, ProblemHttpResult>> GetClusterAsync(
        IGrainFactory grains, ClientApiIdentity identity, SessionRegistry sessions, IConfiguration configuration)
    {
        if (!configuration.GetValue("Messenger:ClientApi:ClusterView", true))
        {
            return Problems.Of(ErrorCodes.NotFound, "The cluster view is turned off.");
        }

        var hosts = await grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: false);

        // Dead silos stay in the table for a while; show the recent ones so a failover can be
        // watched, not every restart of the last week.
        var since = DateTime.UtcNow.AddHours(-1);
        var silos = hosts
            .Where(h => h.Status != SiloStatus.Dead || h.IAmAliveTime > since || h.StartTime > since)
            .OrderBy(h => h.Status == SiloStatus.Dead).ThenBy(h => h.StartTime)
            .Select(h => new SiloResponse(h.SiloAddress.ToParsableString(), h.Status.ToString(), DateTime.SpecifyKind(h.StartTime, DateTimeKind.Utc), h.SiloName))
            .ToList();
        return TypedResults.Ok(new ClusterResponse(silos, new ClientApiResponse(identity.InstanceId, sessions.Count)));
    }
}
