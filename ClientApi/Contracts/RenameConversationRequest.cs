using System.ComponentModel.DataAnnotations;

namespace Messenger.ClientApi.Contracts;

/// <summary>A group's new title.</summary>
public sealed record RenameConversationRequest
{
    /// <summary>1–100 characters.</summary>
    [Required, StringLength(100, MinimumLength = 1)]
    public string? Title { get; init; }
}
