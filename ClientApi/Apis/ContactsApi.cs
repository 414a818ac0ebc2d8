using Messenger.ClientApi.Auth;
using Messenger.ClientApi.Contracts;
using Messenger.ClientApi.Errors;
using Messenger.Grains.Interfaces;
using Messenger.Grains.Interfaces.Models;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Messenger.ClientApi.Apis;

/// <summary>Contacts with two-way approval, and blocks. Each change goes to the pair's relationship grain.</summary>
public static class ContactsApi
{
    public static RouteGroupBuilder MapContacts(this RouteGroupBuilder api)
    {
        var contacts = api.MapGroup("/contacts").WithTags("Contacts");
        contacts.MapGet("/", ListContactsAsync).WithSummary("The caller's contacts and pending requests both ways");
        contacts.MapPut("/{username}", RequestAsync).WithSummary("Ask someone, or accept their pending request (idempotent)")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        contacts.MapDelete("/{username}", RemoveAsync).WithSummary("Remove a contact, decline or cancel a request, on both sides (idempotent)")
            .ProducesProblem(StatusCodes.Status404NotFound);

        var blocks = api.MapGroup("/blocks").WithTags("Contacts");
        blocks.MapGet("/", ListBlocksAsync).WithSummary("The users the caller blocks");
        blocks.MapPut("/{username}", BlockAsync).WithSummary("Block a user: removes the contact, hides presence, closes the direct conversation")
            .ProducesProblem(StatusCodes.Status404NotFound);
        blocks.MapDelete("/{username}", UnblockAsync).WithSummary("Lift a block (the contact is not restored)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    /// <summary>
    /// Accepted contacts (with their presence) and pending requests: <c>outgoing</c> ones the
    /// caller made, <c>incoming</c> ones waiting for the caller's answer.
    /// </summary>
    private static async Task<Ok<List<ContactResponse>>> ListContactsAsync(HttpContext context, IGrainFactory grains)
    {
        var userId = context.User.UserIdOf();
        var contacts = await grains.GetGrain<IUserGrain>(userId).ListContacts();
        var answers = await Task.WhenAll(contacts.Select(async c =>
        {
            // Asked of each contact here, off the grains: a list read, not the presence hot path.
            var presence = c.State == ContactState.Accepted
                ? await grains.GetGrain<IUserGrain>(c.User.UserId).GetPresenceFor(userId)
                : null;
            return new ContactResponse(c.User.UserId, c.User.Username, c.User.DisplayName, c.State.ToWire(), presence?.ToResponse());
        }));
        return TypedResults.Ok(answers.ToList());
    }

    /// <summary>
    /// Asks the user to become a contact, or accepts their pending request; a request both
    /// ways is accepted. Repeating it changes nothing. 403 <c>blocked</c> while either blocks the other.
    /// </summary>
    private static Task<Results<NoContent, ProblemHttpResult>> RequestAsync(string username, HttpContext context, IGrainFactory grains) =>
        WithPairAsync(username, context, grains, (pair, caller, other) => pair.Request(caller, other));

    /// <summary>Removes the contact, declines their request or cancels the caller's, on both sides.</summary>
    private static Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(string username, HttpContext context, IGrainFactory grains) =>
        WithPairAsync(username, context, grains, (pair, caller, other) => pair.Remove(caller, other));

    /// <summary>The users the caller blocks.</summary>
    private static async Task<Ok<List<UserResponse>>> ListBlocksAsync(HttpContext context, IGrainFactory grains)
    {
        var blocked = await grains.GetGrain<IUserGrain>(context.User.UserIdOf()).ListBlocks();
        return TypedResults.Ok(blocked.Select(u => u.ToResponse()).ToList());
    }

    /// <summary>
    /// Blocks the user: the contact (or request) goes on both sides, neither sees the other's
    /// presence, and neither can open or write in their direct conversation. Groups are unaffected.
    /// </summary>
    private static Task<Results<NoContent, ProblemHttpResult>> BlockAsync(string username, HttpContext context, IGrainFactory grains) =>
        WithPairAsync(username, context, grains, (pair, caller, other) => pair.Block(caller, other));

    /// <summary>Lifts the caller's block. The contact is not restored; a block by the other user stays.</summary>
    private static Task<Results<NoContent, ProblemHttpResult>> UnblockAsync(string username, HttpContext context, IGrainFactory grains) =>
        WithPairAsync(username, context, grains, (pair, caller, other) => pair.Unblock(caller, other));

    private static async Task<Results<NoContent, ProblemHttpResult>> WithPairAsync(
        string username, HttpContext context, IGrainFactory grains, Func<IRelationshipGrain, UserProfile, UserProfile, Task> act)
    {
        var userId = context.User.UserIdOf();
        var other = await Lookup.FindUserAsync(grains, username);
        if (other is null)
        {
            return Problems.Of(ErrorCodes.NotFound, $"No user named \"{username}\".");
        }

        if (other.UserId == userId)
        {
            return Problems.Invalid("username", "That is you.");
        }

        var caller = await grains.GetGrain<IUserGrain>(userId).GetProfile();
        if (caller is null)
        {
            return Problems.Of(ErrorCodes.NotFound, "The account no longer exists.");
        }

        await act(grains.GetGrain<IRelationshipGrain>(PairIds.Relationship(userId, other.UserId)), caller, other);
        return TypedResults.NoContent();
    }
}
