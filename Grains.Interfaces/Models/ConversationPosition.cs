namespace Messenger.Grains.Interfaces.Models;

/// <summary>Where a conversation stands for one member: what exists and what the member has read.</summary>
[GenerateSerializer, Immutable, Alias("messenger.ConversationPosition")]
public sealed record ConversationPosition(
    [property: Id(0)] string ConversationId,
    [property: Id(1)] long LastSeq,
    [property: Id(2)] long ReadSeq);
