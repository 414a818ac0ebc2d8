using Messenger.ClientApi.Auth;
using Messenger.ClientApi.Contracts;
using Messenger.ClientApi.Errors;
using Messenger.Grains.Interfaces;
using Messenger.Grains.Interfaces.Models;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Messenger.ClientApi.Apis;

/// <summary>Register, log in and log out.</summary>
public static class AuthApi
{
    public static RouteGroupBuilder MapAuth(this RouteGroupBuilder api)
    {
        var auth = api.MapGroup("/auth").WithTags("Accounts");
        auth.MapPost("/register", RegisterAsync).AllowAnonymous()
            .WithSummary("Create an account").ProducesProblem(StatusCodes.Status409Conflict);
        auth.MapPost("/login", LoginAsync).AllowAnonymous().WithSummary("Log in: a new access token for a new device");
        auth.MapPost("/logout", LogoutAsync).WithSummary("Revoke this token everywhere and close its device's sockets");
        return api;
    }

    /// <summary>Creates an account. Usernames are unique without regard to case.</summary>
    private static async Task<Results<Created<UserResponse>, ProblemHttpResult>> RegisterAsync(
        RegisterRequest request, IGrainFactory grains, PasswordHashing passwords)
    {
        var hash = passwords.Hash(request.Password!);
        var profile = await grains.GetGrain<IAccountGrain>(request.Username!.ToLowerInvariant())
            .Register(request.Username, hash, request.DisplayName?.Trim() is { Length: > 0 } name ? name : null);
        return TypedResults.Created($"/api/v1/users/{profile.Username}", profile.ToResponse());
    }

    /// <summary>Checks the password and issues an access token for a new device login.</summary>
    private static async Task<Results<Ok<LoginResponse>, ProblemHttpResult>> LoginAsync(
        LoginRequest request, IGrainFactory grains, PasswordHashing passwords, TokenService tokens)
    {
        var account = await grains.GetGrain<IAccountGrain>(request.Username!.ToLowerInvariant()).GetCredentials();
        if (!passwords.Verify(account, request.Password!))
        {
            // The same answer for an unknown user and a wrong password.
            return Problems.Of(ErrorCodes.InvalidCredentials, "Wrong username or password.");
        }

        var (token, deviceId) = await tokens.IssueAsync(account!.UserId);
        return TypedResults.Ok(new LoginResponse(token, account.UserId, account.Username, deviceId));
    }

    /// <summary>Revokes the caller's token everywhere and closes that device's sockets (4001).</summary>
    private static async Task<NoContent> LogoutAsync(HttpContext context, TokenService tokens)
    {
        // Authenticated, so the request carries its token.
        await tokens.RevokeAsync(TokenService.Hash(TokenAuthenticationHandler.ReadToken(context.Request)!));
        return TypedResults.NoContent();
    }
}
