using System.Security.Claims;

namespace Messenger.ClientApi.Auth;

/// <summary>Claims the token handler puts on the caller, and how endpoints read them.</summary>
public static class MessengerClaims
{
    public const string UserId = "messenger:user";
    public const string DeviceId = "messenger:device";

    public static string UserIdOf(this ClaimsPrincipal user) => user.FindFirstValue(UserId)!;

    public static string DeviceIdOf(this ClaimsPrincipal user) => user.FindFirstValue(DeviceId)!;
}
