using System.ComponentModel.DataAnnotations;

namespace Messenger.ClientApi.Contracts;

/// <summary>A chat state: the caller started or stopped typing.</summary>
public sealed record TypingRequest
{
    /// <summary><c>true</c> while typing (lasts 6 s unless repeated); <c>false</c> when stopped.</summary>
    [Required]
    public bool? Typing { get; init; }
}
