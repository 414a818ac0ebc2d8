namespace Messenger.Bench.Client;

/// <summary>The fields of a server frame the generator cares about, read without building a DOM.</summary>
public readonly record struct ServerFrame(string Type, string? ConversationId, long Seq, string? ClientMessageId, long Ref, string? Code);
