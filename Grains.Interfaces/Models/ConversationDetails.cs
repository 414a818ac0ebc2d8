namespace Messenger.Grains.Interfaces.Models;

/// <summary>A conversation with its members, as a member sees it.</summary>
[GenerateSerializer, Immutable, Alias("messenger.ConversationDetails")]
public sealed record ConversationDetails(
    [property: Id(0)] string ConversationId,
    [property: Id(1)] ConversationKind Kind,
    [property: Id(2)] string? Title,
    [property: Id(3)] long LastSeq,
    [property: Id(4)] IReadOnlyList<MemberInfo> Members);
