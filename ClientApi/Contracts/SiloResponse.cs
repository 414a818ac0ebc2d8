namespace Messenger.ClientApi.Contracts;

/// <summary>One silo.</summary>
/// <param name="Address">Its address (ip:port@generation).</param>
/// <param name="Status">Orleans membership status: <c>Active</c>, <c>Joining</c>, <c>ShuttingDown</c>, <c>Dead</c>…</param>
/// <param name="StartedAt">When it started (UTC).</param>
/// <param name="Name">Its configured name.</param>
/// <param name="Activations">
/// For an active silo: how many grains of each type are active on it right now, by the type's
/// class name (<c>ConversationGrain</c>, <c>UserGrain</c>, Orleans' own): where the conversations
/// and users live, and where they went after a failover. Absent when the silo did not answer.
/// </param>
public sealed record SiloResponse(string Address, string Status, DateTime StartedAt, string? Name, IReadOnlyDictionary<string, int>? Activations);
