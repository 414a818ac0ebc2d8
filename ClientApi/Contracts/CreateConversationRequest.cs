using System.ComponentModel.DataAnnotations;

namespace Messenger.ClientApi.Contracts;

/// <summary>
/// <c>{kind: "direct", with}</c> gets or creates the direct conversation with one user;
/// <c>{kind: "group", title, members}</c> creates a group with the caller as owner.
/// </summary>
public sealed record CreateConversationRequest
{
    /// <summary><c>direct</c> or <c>group</c>.</summary>
    [Required, RegularExpression("^(direct|group)$", ErrorMessage = "kind must be \"direct\" or \"group\".")]
    public string? Kind { get; init; }

    /// <summary>For <c>direct</c>: the other user's username.</summary>
    [StringLength(32)]
    public string? With { get; init; }

    /// <summary>For <c>group</c>: 1–100 characters.</summary>
    [StringLength(100)]
    public string? Title { get; init; }

    /// <summary>For <c>group</c>: usernames of the other members.</summary>
    public IReadOnlyList<string>? Members { get; init; }
}
