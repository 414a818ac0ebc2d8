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
            .WithSummary("A user's public profile (with presence for accepted contacts)").ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPut("/presence", SetPresenceAsync).WithTags("Presence").WithSummary("Set the caller's status and note");
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

    /// <summary>A user's public profile by username (any case); presence only when the caller is an accepted contact.</summary>
    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> GetUserAsync(string username, HttpContext context, IGrainFactory grains)
    {
        var profile = await Lookup.FindUserAsync(grains, username);
        if (profile is null)
        {
            return Problems.Of(Grains.Interfaces.Models.ErrorCodes.NotFound, "No such user.");
        }

        var presence = await grains.GetGrain<IUserGrain>(profile.UserId).GetPresenceFor(context.User.UserIdOf());
        return TypedResults.Ok(profile.ToResponse() with { Presence = presence?.ToResponse() });
    }

    /// <summary>
    /// Sets the caller's status (<c>online</c>, <c>away</c>, <c>busy</c>, <c>invisible</c>) and
    /// note. Contacts see it while the caller has a live session (<c>offline</c> otherwise, and
    /// while invisible) and get a <c>presence</c> event when what they see changes.
    /// </summary>
    private static async Task<NoContent> SetPresenceAsync(SetPresenceRequest request, HttpContext context, IGrainFactory grains)
    {
        await grains.GetGrain<IUserGrain>(context.User.UserIdOf()).SetPresence(new Grains.Interfaces.Models.Presence(request.Status!, request.Note));
        return TypedResults.NoContent();
    }
}
