namespace Messenger.Grains.Interfaces.Models;

/// <summary>Whether a conversation is between exactly two people or a titled group.</summary>
[GenerateSerializer, Alias("messenger.ConversationKind")]
public enum ConversationKind
{
    /// <summary>A one-to-one conversation; the same two users always share the same one.</summary>
    Direct = 0,

    /// <summary>A titled group with roles.</summary>
    Group = 1,
}
