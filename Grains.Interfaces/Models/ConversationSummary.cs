namespace Messenger.Grains.Interfaces.Models;

/// <summary>One line of a user's conversation list.</summary>
[GenerateSerializer, Immutable, Alias("messenger.ConversationSummary")]
public sealed record ConversationSummary(
    [property: Id(0)] string ConversationId,
    [property: Id(1)] ConversationKind Kind,
    [property: Id(2)] string? Title,
    [property: Id(3)] long LastSeq,
    [property: Id(4)] long ReadSeq,
    [property: Id(5)] MessageRecord? LastMessage,
    [property: Id(6)] DateTimeOffset LastActivityAt);
