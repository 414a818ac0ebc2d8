using System.ComponentModel.DataAnnotations;

namespace Messenger.ClientApi.Contracts;

/// <summary>A user to add to a group.</summary>
public sealed record AddMemberRequest
{
    /// <summary>The user's username.</summary>
    [Required, StringLength(32)]
    public string? Username { get; init; }

    /// <summary><c>member</c> (default), <c>admin</c> or <c>owner</c>.</summary>
    [RegularExpression("^(member|admin|owner)$", ErrorMessage = "role must be member, admin or owner.")]
    public string? Role { get; init; }
}
