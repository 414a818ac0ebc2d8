using System.ComponentModel.DataAnnotations;

namespace Messenger.ClientApi.Contracts;

/// <summary>A new account.</summary>
public sealed record RegisterRequest
{
    /// <summary>3–32 characters from <c>A-Z a-z 0-9 . _ -</c>; unique without regard to case.</summary>
    [Required, RegularExpression(Validation.UsernamePattern, ErrorMessage = Validation.UsernameRule)]
    public string? Username { get; init; }

    /// <summary>8–128 characters. Stored only as a slow salted hash.</summary>
    [Required, StringLength(128, MinimumLength = 8, ErrorMessage = "password must be 8-128 characters.")]
    public string? Password { get; init; }

    /// <summary>Shown to others; defaults to the username.</summary>
    [StringLength(64, MinimumLength = 1, ErrorMessage = "displayName must be 1-64 characters.")]
    public string? DisplayName { get; init; }
}
