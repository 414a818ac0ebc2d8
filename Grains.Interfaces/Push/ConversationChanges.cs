namespace Messenger.Grains.Interfaces.Push;

/// <summary>The values of <see cref="ConversationChanged.Change"/>, as the protocol spells them.</summary>
public static class ConversationChanges
{
    public const string Created = "created";
    public const string MemberAdded = "member_added";
    public const string MemberRemoved = "member_removed";
    public const string Updated = "updated";
}
