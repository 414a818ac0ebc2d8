namespace Messenger.Grains.Interfaces.Models;

/// <summary>The answer to a direct get-or-create: the conversation, and whether this call created it.</summary>
[GenerateSerializer, Immutable, Alias("messenger.DirectConversationResult")]
public sealed record DirectConversationResult(
    [property: Id(0)] ConversationDetails Conversation,
    [property: Id(1)] bool Created);
