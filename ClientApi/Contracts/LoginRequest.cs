using System.ComponentModel.DataAnnotations;

namespace Messenger.ClientApi.Contracts;

/// <summary>Credentials for a new access token (one per device login).</summary>
public sealed record LoginRequest
{
    /// <summary>The username, in any case.</summary>
    [Required, StringLength(32)]
    public string? Username { get; init; }

    /// <summary>The password.</summary>
    [Required, StringLength(128)]
    public string? Password { get; init; }

    /// <summary>Optional name of the device, for the user's own reference.</summary>
    [StringLength(64)]
    public string? Device { get; init; }
}
