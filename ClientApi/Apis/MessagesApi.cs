using System.Text.RegularExpressions;
using Messenger.ClientApi.Auth;
using Messenger.ClientApi.Contracts;
using Messenger.ClientApi.Errors;
using Messenger.ClientApi.Sessions;
using Messenger.Grains.Interfaces;
using Messenger.Grains.Interfaces.Models;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Messenger.ClientApi.Apis;

/// <summary>Sending, paging history and read receipts.</summary>
public static partial class MessagesApi
{
    public static RouteGroupBuilder MapMessages(this RouteGroupBuilder api)
    {
        var conversation = api.MapGroup("/conversations/{conversationId:length(1,200)}").WithTags("Messages");
        conversation.MapPut("/messages/{clientMessageId}", SendAsync).WithSummary("Send a message (idempotent per clientMessageId; answered once stored)")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        conversation.MapGet("/messages", HistoryAsync).WithSummary("History: after=seq (catch-up), before=seq, or the latest page")
            .ProducesProblem(StatusCodes.Status404NotFound);
        conversation.MapPatch("/messages/{seq}", EditAsync).WithSummary("Edit the caller's own message")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        conversation.MapDelete("/messages/{seq}", DeleteAsync).WithSummary("Delete a message (sender, or group owner/admin): the text is erased, the seq stays")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        conversation.MapPost("/read", ReadAsync).WithSummary("Read receipt: move the caller's readSeq forward").ProducesProblem(StatusCodes.Status404NotFound);
        conversation.MapPost("/typing", TypingAsync).WithSummary("Typing or not (ephemeral; true expires after 6 s)")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    /// <summary>
    /// Sends a message; answered only after it is stored. Repeating the same clientMessageId
    /// returns the original seq and stores nothing new, so retry freely.
    /// </summary>
    private static async Task<Results<Ok<SendMessageResponse>, ProblemHttpResult>> SendAsync(
        string conversationId, string clientMessageId, SendMessageRequest request, HttpContext context, MessageSender sender, IConfiguration configuration, SendAdmission admission)
    {
        if (!ClientMessageIdRegex().IsMatch(clientMessageId))
        {
            return Problems.Invalid("clientMessageId", "clientMessageId must be 1-64 characters from A-Z a-z 0-9 - _ . :");
        }

        var maxLength = configuration.GetValue("Messenger:Messages:MaxTextLength", 4000);
        if (request.Text!.Length > maxLength)
        {
            return Problems.Of(ErrorCodes.MessageTooLarge, $"text is longer than {maxLength} characters.");
        }

        if (!admission.TryEnter())
        {
            context.Response.Headers.RetryAfter = "1";
            return Problems.Of(ErrorCodes.RateLimited, "Too many sends in flight; retry shortly.");
        }

        try
        {
            var result = await sender.SendAsync(
                conversationId, new SendMessageCommand(context.User.UserIdOf(), clientMessageId, request.Text, request.ReplyTo));
            return TypedResults.Ok(result.ToResponse());
        }
        finally
        {
            admission.Exit();
        }
    }

    /// <summary>
    /// A page of history, ascending. <c>after</c>: messages with seq &gt; after (catch-up).
    /// <c>before</c>: the page just before that seq. Neither: the latest page.
    /// </summary>
    private static async Task<Results<Ok<MessagePageResponse>, ProblemHttpResult>> HistoryAsync(
        string conversationId, HttpContext context, GrainReferences grains, long? after = null, long? before = null, int? limit = null)
    {
        var size = limit ?? Validation.DefaultPageSize;
        if (size is < 1 or > Validation.MaxPageSize)
        {
            return Problems.Invalid("limit", $"limit must be 1-{Validation.MaxPageSize}.");
        }

        if (after < 0 || before < 0)
        {
            return Problems.Invalid(after < 0 ? "after" : "before", "after and before must not be negative.");
        }

        var page = await grains.Get<IConversationGrain>(conversationId)
            .GetMessages(context.User.UserIdOf(), new HistoryQuery(after, before, size));
        return TypedResults.Ok(page.ToResponse());
    }

    /// <summary>Moves the caller's read position forward (never back) and tells the members.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> ReadAsync(
        string conversationId, ReadRequest request, HttpContext context, GrainReferences grains)
    {
        await grains.Get<IConversationGrain>(conversationId).MarkRead(context.User.UserIdOf(), request.Seq!.Value);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Replaces the text of the caller's own message and sets <c>editedAt</c>; members get
    /// <c>message.edited</c>. 403 for someone else's message (or <c>blocked</c>), 409 once deleted.
    /// Seqs and unread counts do not change.
    /// </summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> EditAsync(
        string conversationId, long seq, EditMessageRequest request, HttpContext context, GrainReferences grains, IConfiguration configuration)
    {
        var maxLength = configuration.GetValue("Messenger:Messages:MaxTextLength", 4000);
        if (request.Text!.Length > maxLength)
        {
            return Problems.Of(ErrorCodes.MessageTooLarge, $"text is longer than {maxLength} characters.");
        }

        await grains.Get<IConversationGrain>(conversationId).EditMessage(context.User.UserIdOf(), seq, request.Text);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Erases a message for everyone; its seq stays as a tombstone (<c>deleted: true</c>) and
    /// members get <c>message.deleted</c>. The sender, or a group owner or admin. Idempotent.
    /// </summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string conversationId, long seq, HttpContext context, GrainReferences grains)
    {
        await grains.Get<IConversationGrain>(conversationId).DeleteMessage(context.User.UserIdOf(), seq);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Tells the other members' sessions that the caller is typing (or stopped). Never stored;
    /// <c>true</c> ends by itself after 6 s with a <c>typing: false</c> event unless repeated.
    /// </summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> TypingAsync(
        string conversationId, TypingRequest request, HttpContext context, GrainReferences grains)
    {
        await grains.Get<IConversationGrain>(conversationId).SetTyping(context.User.UserIdOf(), request.Typing!.Value);
        return TypedResults.NoContent();
    }

    [GeneratedRegex(Validation.ClientMessageIdPattern)]
    private static partial Regex ClientMessageIdRegex();
}
