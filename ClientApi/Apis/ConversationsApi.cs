using Messenger.ClientApi.Auth;
using Messenger.ClientApi.Contracts;
using Messenger.ClientApi.Errors;
using Messenger.Grains.Interfaces;
using Messenger.Grains.Interfaces.Models;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Messenger.ClientApi.Apis;

/// <summary>Direct conversations, groups, their members and titles.</summary>
public static class ConversationsApi
{
    public static RouteGroupBuilder MapConversations(this RouteGroupBuilder api)
    {
        var conversations = api.MapGroup("/conversations").WithTags("Conversations");
        conversations.MapPost("/", CreateAsync).WithSummary("Get-or-create a direct conversation, or create a group")
            .ProducesProblem(StatusCodes.Status404NotFound);
        conversations.MapGet("/", ListAsync).WithSummary("The caller's conversations, latest activity first");
        conversations.MapGet("/{conversationId:length(1,200)}", GetAsync).WithSummary("A conversation with its members").ProducesProblem(StatusCodes.Status404NotFound);
        conversations.MapPatch("/{conversationId:length(1,200)}", RenameAsync).WithSummary("Rename a group (owner or admin)")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        conversations.MapPost("/{conversationId:length(1,200)}/members", AddMemberAsync).WithSummary("Add a member to a group (owner or admin)")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        conversations.MapDelete("/{conversationId:length(1,200)}/members/{username}", RemoveMemberAsync).WithSummary("Leave, or remove a member (owner or admin)")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    /// <summary>
    /// <c>direct</c>: get-or-create (201 when created, 200 when it existed).
    /// <c>group</c>: creates a group with the caller as owner (201).
    /// </summary>
    private static async Task<Results<Created<ConversationResponse>, Ok<ConversationResponse>, ProblemHttpResult>> CreateAsync(
        CreateConversationRequest request, HttpContext context, IGrainFactory grains)
    {
        var userId = context.User.UserIdOf();
        var caller = await grains.GetGrain<IUserGrain>(userId).GetProfile();
        if (caller is null)
        {
            return Problems.Of(ErrorCodes.NotFound, "The account no longer exists.");
        }

        if (request.Kind == "direct")
        {
            if (string.IsNullOrEmpty(request.With))
            {
                return Problems.Invalid("with", "with is required for a direct conversation.");
            }

            var other = await Lookup.FindUserAsync(grains, request.With);
            if (other is null)
            {
                return Problems.Of(ErrorCodes.NotFound, $"No user named \"{request.With}\".");
            }

            if (other.UserId == userId)
            {
                return Problems.Invalid("with", "A direct conversation needs another user.");
            }

            var result = await grains.GetGrain<IConversationGrain>(ConversationIds.Direct(userId, other.UserId)).OpenDirect(caller, other);
            var body = result.Conversation.ToResponse(userId);
            return result.Created
                ? TypedResults.Created($"/api/v1/conversations/{body.ConversationId}", body)
                : TypedResults.Ok(body);
        }

        if (string.IsNullOrWhiteSpace(request.Title))
        {
            return Problems.Invalid("title", "title is required for a group.");
        }

        var usernames = request.Members ?? [];
        if (usernames.Count > Validation.MaxGroupMembers)
        {
            return Problems.Invalid("members", $"A group starts with at most {Validation.MaxGroupMembers} members.");
        }

        var members = new List<UserProfile>(usernames.Count);
        foreach (var username in usernames.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var member = await Lookup.FindUserAsync(grains, username ?? "");
            if (member is null)
            {
                return Problems.Of(ErrorCodes.NotFound, $"No user named \"{username}\".");
            }

            members.Add(member);
        }

        var group = await grains.GetGrain<IConversationGrain>(ConversationIds.NewGroup()).CreateGroup(caller, request.Title, members);
        var created = group.ToResponse(userId);
        return TypedResults.Created($"/api/v1/conversations/{created.ConversationId}", created);
    }

    /// <summary>The caller's conversations, latest activity first.</summary>
    private static async Task<Ok<List<ConversationListItem>>> ListAsync(HttpContext context, IGrainFactory grains)
    {
        var summaries = await grains.GetGrain<IUserGrain>(context.User.UserIdOf()).ListConversations();
        return TypedResults.Ok(summaries.Select(s => s.ToResponse()).ToList());
    }

    /// <summary>A conversation with its members (404 when the caller is not one of them).</summary>
    private static async Task<Results<Ok<ConversationResponse>, ProblemHttpResult>> GetAsync(
        string conversationId, HttpContext context, IGrainFactory grains)
    {
        var userId = context.User.UserIdOf();
        var details = await grains.GetGrain<IConversationGrain>(conversationId).GetDetails(userId);
        return TypedResults.Ok(details.ToResponse(userId));
    }

    /// <summary>Renames a group (owner or admin).</summary>
    private static async Task<Results<Ok<ConversationResponse>, ProblemHttpResult>> RenameAsync(
        string conversationId, RenameConversationRequest request, HttpContext context, IGrainFactory grains)
    {
        var userId = context.User.UserIdOf();
        var grain = grains.GetGrain<IConversationGrain>(conversationId);
        await grain.Rename(userId, request.Title!);
        return TypedResults.Ok((await grain.GetDetails(userId)).ToResponse(userId));
    }

    /// <summary>Adds a user to a group (owner or admin; only owners add owners).</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> AddMemberAsync(
        string conversationId, AddMemberRequest request, HttpContext context, IGrainFactory grains)
    {
        var member = await Lookup.FindUserAsync(grains, request.Username!);
        if (member is null)
        {
            return Problems.Of(ErrorCodes.NotFound, $"No user named \"{request.Username}\".");
        }

        await grains.GetGrain<IConversationGrain>(conversationId)
            .AddMember(context.User.UserIdOf(), member, ContractMapping.ParseRole(request.Role));
        return TypedResults.NoContent();
    }

    /// <summary>Leaves (yourself) or removes someone (owner or admin). A group keeps an owner.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveMemberAsync(
        string conversationId, string username, HttpContext context, IGrainFactory grains)
    {
        var member = await Lookup.FindUserAsync(grains, username);
        if (member is null)
        {
            return Problems.Of(ErrorCodes.NotFound, $"No user named \"{username}\".");
        }

        await grains.GetGrain<IConversationGrain>(conversationId).RemoveMember(context.User.UserIdOf(), member.UserId);
        return TypedResults.NoContent();
    }
}
