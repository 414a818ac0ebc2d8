using Messenger.Grains.Interfaces.Models;
using Microsoft.AspNetCore.Diagnostics;

namespace Messenger.ClientApi.Errors;

/// <summary>
/// Turns exceptions into problem details: a grain's <see cref="MessengerException"/> carries
/// its protocol code; a cluster that cannot be reached, or answers too late, is 503
/// <c>unavailable</c> with Retry-After; bad request bodies are 400. Nothing leaks a stack trace.
/// </summary>
public sealed partial class MessengerExceptionHandler(IProblemDetailsService problems, ILogger<MessengerExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (code, detail) = Classify(exception);
        var status = ProblemCodes.StatusOf(code);
        if (code == ErrorCodes.Unavailable)
        {
            LogUnavailable(exception.GetType().Name, context.Request.Path);
            context.Response.Headers.RetryAfter = "1";
        }
        else if (status >= 500)
        {
            LogUnexpected(exception, context.Request.Path);
        }

        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = status, Title = Problems.TitleOf(status), Detail = detail, Extensions = { ["code"] = code } },
        });
    }

    public static (string Code, string Detail) Classify(Exception exception) => exception switch
    {
        MessengerException m => (m.Code, m.Message),
        BadHttpRequestException { StatusCode: 413 } => (ErrorCodes.MessageTooLarge, "The request body is too large."),
        BadHttpRequestException b => (ErrorCodes.ValidationFailed, b.Message),
        TimeoutException or OperationCanceledException => (ErrorCodes.Unavailable, "The cluster did not answer in time; retry."),
        SiloUnavailableException or OrleansMessageRejectionException or OrleansException
            => (ErrorCodes.Unavailable, "The cluster is unreachable; retry."),
        _ => (ErrorCodes.Internal, "Something went wrong on our side."),
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Path}")]
    private partial void LogUnexpected(Exception ex, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster unavailable ({Error}) on {Path}")]
    private partial void LogUnavailable(string error, string path);
}
