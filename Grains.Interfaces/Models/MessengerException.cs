namespace Messenger.Grains.Interfaces.Models;

/// <summary>
/// A rule of the messenger said no (not a member, not allowed, taken…). Carries a protocol
/// <see cref="ErrorCodes">error code</see> across grain calls so the ClientApi can answer with it.
/// </summary>
[GenerateSerializer, Alias("messenger.MessengerException")]
public sealed class MessengerException : Exception
{
    public MessengerException(string code, string message) : base(message) => Code = code;

    public MessengerException() : base("Messenger error") => Code = ErrorCodes.Internal;

    public MessengerException(string message) : base(message) => Code = ErrorCodes.Internal;

    public MessengerException(string message, Exception innerException) : base(message, innerException) => Code = ErrorCodes.Internal;

    [Id(0)]
    public string Code { get; private set; }

    public static MessengerException NotFound(string what) => new(ErrorCodes.NotFound, $"{what} was not found.");

    public static MessengerException Forbidden(string why) => new(ErrorCodes.Forbidden, why);

    public static MessengerException Invalid(string why) => new(ErrorCodes.ValidationFailed, why);
}
