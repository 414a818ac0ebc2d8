namespace Messenger.Grains.Interfaces.Models;

/// <summary>The stable machine-readable error codes of the protocol.</summary>
public static class ErrorCodes
{
    public const string ValidationFailed = "validation_failed";
    public const string InvalidCredentials = "invalid_credentials";
    public const string Unauthorized = "unauthorized";
    public const string UsernameTaken = "username_taken";
    public const string NotFound = "not_found";
    public const string NotAMember = "not_a_member";
    public const string Forbidden = "forbidden";
    public const string Conflict = "conflict";
    public const string Blocked = "blocked";
    public const string MessageTooLarge = "message_too_large";
    public const string RateLimited = "rate_limited";
    public const string Unavailable = "unavailable";
    public const string Internal = "internal_error";
}
