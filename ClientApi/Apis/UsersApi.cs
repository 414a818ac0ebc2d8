using Messenger.ClientApi.Auth;
using Messenger.ClientApi.Contracts;
using Messenger.ClientApi.Errors;
using Messenger.Grains.Interfaces;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Messenger.ClientApi.Apis;

/// <summary>The caller's own account and other users' public profiles.</summary>
public static class UsersApi
{
    public static RouteGroupBuilder MapUsers(this RouteGroupBuilder api)
    {
        api.MapGet("/me", GetMeAsync).WithTags("Accounts").WithSummary("The caller's profile and presence");
        api.MapGet("/users/{username}", GetUserAsync).WithTags("Accounts")
            .WithSummary("A user's public profile").ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    /// <summary>The caller's profile and presence.</summary>
    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> GetMeAsync(HttpContext context, IGrainFactory grains)
    {
        var status = await grains.GetGrain<IUserGrain>(context.User.UserIdOf()).GetStatus();
        return status is null
            ? Problems.Of(Grains.Interfaces.Models.ErrorCodes.NotFound, "The account no longer exists.")
            : TypedResults.Ok(status.Profile.ToResponse() with { Presence = new PresenceResponse(status.Presence, status.PresenceNote) });
    }

    /// <summary>A user's public profile by username (any case).</summary>
    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> GetUserAsync(string username, IGrainFactory grains)
    {
        var profile = await Lookup.FindUserAsync(grains, username);
        return profile is null
            ? Problems.Of(Grains.Interfaces.Models.ErrorCodes.NotFound, "No such user.")
            : TypedResults.Ok(profile.ToResponse());
    }
}
