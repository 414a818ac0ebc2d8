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
        var activations = await ActivationsAsync(grains, hosts.Where(h => h.Status == SiloStatus.Active).Select(h => h.SiloAddress).ToArray());
        var silos = hosts
            .Where(h => h.Status != SiloStatus.Dead || h.IAmAliveTime > since || h.StartTime > since)
            .OrderBy(h => h.Status == SiloStatus.Dead).ThenBy(h => h.StartTime)
            .Select(h => new SiloResponse(h.SiloAddress.ToParsableString(), h.Status.ToString(), DateTime.SpecifyKind(h.StartTime, DateTimeKind.Utc), h.SiloName,
                activations.GetValueOrDefault(h.SiloAddress)))
            .ToList();
        return TypedResults.Ok(new ClusterResponse(silos, new ClientApiResponse(identity.InstanceId, sessions.Count)));
    }

    /// <summary>
    /// Active grains per silo and type. Best effort: while a silo that died is not yet declared
    /// dead the statistics call cannot finish, and the view must still load to watch the failover.
    /// </summary>
    private static async Task<Dictionary<SiloAddress, IReadOnlyDictionary<string, int>>> ActivationsAsync(IGrainFactory grains, SiloAddress[] silos)
    {
        if (silos.Length == 0)
        {
            return [];
        }

        try
        {
            var statistics = await grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics(silos).WaitAsync(TimeSpan.FromSeconds(2));
            return statistics.GroupBy(s => s.SiloAddress).ToDictionary(
                bySilo => bySilo.Key,
                bySilo => (IReadOnlyDictionary<string, int>)bySilo
                    .GroupBy(s => ShortTypeName(s.GrainType), StringComparer.Ordinal)
                    .ToDictionary(byType => byType.Key, byType => byType.Sum(s => s.ActivationCount), StringComparer.Ordinal));
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException or OperationCanceledException)
        {
            return [];
        }
    }

    /// <summary>"Messenger.Grains.Users.UserGrain,Messenger.Grains" → "UserGrain"; generic arity marks dropped.</summary>
    private static string ShortTypeName(string grainType)
    {
        var comma = grainType.IndexOf(',', StringComparison.Ordinal);
        var name = comma < 0 ? grainType : grainType[..comma];
        name = name[(name.LastIndexOf('.') + 1)..];
        var arity = name.IndexOf('`', StringComparison.Ordinal);
        return arity < 0 ? name : name[..arity];
    }
}
