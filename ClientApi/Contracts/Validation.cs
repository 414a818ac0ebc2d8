namespace Messenger.ClientApi.Contracts;

/// <summary>Input rules of the protocol shared by several requests.</summary>
public static class Validation
{
    public const string UsernamePattern = "^[A-Za-z0-9._-]{3,32}$";
    public const string UsernameRule = "username must be 3-32 characters from A-Z a-z 0-9 . _ -";
    public const string ClientMessageIdPattern = "^[A-Za-z0-9_.:-]{1,64}$";
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
    public const int MaxGroupMembers = 1000;
}
