using Microsoft.AspNetCore.Authentication;

namespace Messenger.ClientApi.Auth;

/// <summary>Options of the bearer-token scheme.</summary>
public sealed class TokenAuthenticationOptions : AuthenticationSchemeOptions
{
    public const string Scheme = "MessengerToken";
}
