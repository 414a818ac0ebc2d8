namespace Messenger.ClientApi.Contracts;

/// <summary>How the system is laid out right now.</summary>
/// <param name="Silos">The silos in the membership table.</param>
/// <param name="ClientApi">The ClientApi instance that answered.</param>
public sealed record ClusterResponse(IReadOnlyList<SiloResponse> Silos, ClientApiResponse ClientApi);
