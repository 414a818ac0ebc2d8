namespace Messenger.ClientApi.Contracts;

/// <summary>One silo.</summary>
/// <param name="Address">Its address (ip:port@generation).</param>
/// <param name="Status">Orleans membership status: <c>Active</c>, <c>Joining</c>, <c>ShuttingDown</c>, <c>Dead</c>…</param>
/// <param name="StartedAt">When it started (UTC).</param>
/// <param name="Name">Its configured name.</param>
public sealed record SiloResponse(string Address, string Status, DateTime StartedAt, string? Name);
