namespace Messenger.Grains.Interfaces.Models;

/// <summary>The public face of an account.</summary>
[GenerateSerializer, Immutable, Alias("messenger.UserProfile")]
public sealed record UserProfile(
    [property: Id(0)] string UserId,
    [property: Id(1)] string Username,
    [property: Id(2)] string DisplayName);
