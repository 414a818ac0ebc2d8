using System.ComponentModel.DataAnnotations;

namespace Messenger.ClientApi.Contracts;

/// <summary>The caller's chosen presence.</summary>
public sealed record SetPresenceRequest
{
    /// <summary><c>online</c>, <c>away</c>, <c>busy</c> or <c>invisible</c> (contacts then see <c>offline</c>).</summary>
    [Required, RegularExpression("^(online|away|busy|invisible)$", ErrorMessage = "status must be online, away, busy or invisible.")]
    public string? Status { get; init; }

    /// <summary>Optional free text shown with the status, up to 200 characters.</summary>
    [StringLength(200, ErrorMessage = "note must be at most 200 characters.")]
    public string? Note { get; init; }
}
