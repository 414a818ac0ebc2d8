using Messenger.Grains.Interfaces.Models;

namespace Messenger.Grains.Interfaces;

/// <summary>
/// Keyed by the SHA-256 of an access token (the token itself is never stored): who it was
/// issued to, and whether logout revoked it. Every ClientApi checks tokens here.
/// </summary>
[Alias("messenger.ITokenGrain")]
public interface ITokenGrain : IGrainWithStringKey
{
    [Alias("Issue")]
    Task Issue(TokenGrant grant);

    /// <summary>The grant, or null when the token is unknown or revoked.</summary>
    [Alias("Validate")]
    Task<TokenGrant?> Validate();

    /// <summary>Revokes the token and closes its device's sockets; returns what was revoked.</summary>
    [Alias("Revoke")]
    Task<TokenGrant?> Revoke();
}
