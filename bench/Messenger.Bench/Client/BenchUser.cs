namespace Messenger.Bench.Client;

/// <summary>A signed-in simulated user.</summary>
public sealed record BenchUser(string Username, string UserId, string Token);
