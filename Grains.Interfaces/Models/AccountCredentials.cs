namespace Messenger.Grains.Interfaces.Models;

/// <summary>What login needs to check a password: the stored slow salted hash, never the password.</summary>
[GenerateSerializer, Immutable, Alias("messenger.AccountCredentials")]
public sealed record AccountCredentials(
    [property: Id(0)] string UserId,
    [property: Id(1)] string Username,
    [property: Id(2)] string PasswordHash);
