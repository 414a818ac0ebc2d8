using Messenger.Grains.Interfaces.Models;

namespace Messenger.ClientApi.Errors;

/// <summary>The HTTP status of each protocol error code, and the default code of each status.</summary>
public static class ProblemCodes
{
    public static int StatusOf(string code) => code switch
    {
        ErrorCodes.ValidationFailed => StatusCodes.Status400BadRequest,
        ErrorCodes.InvalidCredentials or ErrorCodes.Unauthorized => StatusCodes.Status401Unauthorized,
        ErrorCodes.Forbidden or ErrorCodes.Blocked => StatusCodes.Status403Forbidden,
        ErrorCodes.NotFound or ErrorCodes.NotAMember => StatusCodes.Status404NotFound,
        ErrorCodes.UsernameTaken or ErrorCodes.Conflict => StatusCodes.Status409Conflict,
        ErrorCodes.MessageTooLarge => StatusCodes.Status413PayloadTooLarge,
        ErrorCodes.RateLimited => StatusCodes.Status429TooManyRequests,
        ErrorCodes.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static string DefaultFor(int status) => status switch
    {
        400 => ErrorCodes.ValidationFailed,
        401 => ErrorCodes.Unauthorized,
        403 => ErrorCodes.Forbidden,
        404 => ErrorCodes.NotFound,
        405 => "method_not_allowed",
        409 => ErrorCodes.Conflict,
        413 => ErrorCodes.MessageTooLarge,
        415 => "unsupported_media_type",
        429 => ErrorCodes.RateLimited,
        503 => ErrorCodes.Unavailable,
        _ => ErrorCodes.Internal,
    };
}
