using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Messenger.ClientApi.Auth;

/// <summary>
/// Accepts <c>Authorization: Bearer &lt;token&gt;</c>, and on the WebSocket path also
/// <c>?access_token=</c> because browsers cannot set headers on a WebSocket.
/// </summary>
public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<TokenAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TokenService tokens) : AuthenticationHandler<TokenAuthenticationOptions>(options, logger, encoder)
{
    public const string WebSocketPath = "/api/v1/ws";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = ReadToken(Request);
        if (token is null)
        {
            return AuthenticateResult.NoResult();
        }

        if (token.Length is 0 or > 256)
        {
            return AuthenticateResult.Fail("Malformed token.");
        }

        var grant = await tokens.ValidateAsync(token);
        if (grant is null)
        {
            return AuthenticateResult.Fail("Unknown, expired or revoked token.");
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(MessengerClaims.UserId, grant.UserId),
                new Claim(MessengerClaims.DeviceId, grant.DeviceId),
            ],
            Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        var problems = Context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = 401, Title = "Unauthorized", Detail = "A valid access token is required." },
        });
    }

    /// <summary>
    /// The request's access token, or null without one. Logout reads it again rather than the
    /// handler keeping its hash as a claim: a claim lives as long as a socket's request does, and
    /// that was 232 bytes of every idle session.
    /// </summary>
    public static string? ReadToken(HttpRequest request)
    {
        string header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }

        return request.Path.StartsWithSegments(WebSocketPath) && request.Query.TryGetValue("access_token", out var value)
            ? value.ToString()
            : null;
    }
}
