using Messenger.Grains.Interfaces.Models;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Messenger.ClientApi.Errors;

/// <summary>Typed problem-details results with a protocol <c>code</c>.</summary>
public static class Problems
{
    public static ProblemHttpResult Of(string code, string detail, IDictionary<string, object?>? extensions = null)
    {
        var status = ProblemCodes.StatusOf(code);
        var ext = new Dictionary<string, object?>(extensions ?? new Dictionary<string, object?>()) { ["code"] = code };
        return TypedResults.Problem(detail: detail, statusCode: status, title: TitleOf(status), extensions: ext);
    }

    public static ProblemHttpResult Invalid(string field, string why) =>
        Of(ErrorCodes.ValidationFailed, why, new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [why] } });

    public static string TitleOf(int status) => status switch
    {
        400 => "Invalid request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not found",
        409 => "Conflict",
        413 => "Too large",
        429 => "Too many requests",
        503 => "Unavailable",
        _ => "Error",
    };
}
