using Messenger.Bench.Client;

namespace Messenger.Bench.Load;

/// <summary>A conversation to check: a member who can read its log, and what was sent to it.</summary>
public sealed record CheckedConversation(string Id, BenchUser Reader, IReadOnlyList<CheckedSend> Sends);
