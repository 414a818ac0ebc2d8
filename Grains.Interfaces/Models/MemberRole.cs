namespace Messenger.Grains.Interfaces.Models;

/// <summary>A member's role in a conversation. Direct conversations have only members.</summary>
[GenerateSerializer, Alias("messenger.MemberRole")]
public enum MemberRole
{
    /// <summary>Ordinary member.</summary>
    Member = 0,

    /// <summary>May rename the group and add or remove members.</summary>
    Admin = 1,

    /// <summary>Like admin; a group always keeps at least one owner.</summary>
    Owner = 2,
}
