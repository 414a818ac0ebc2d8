namespace Messenger.Grains.Interfaces.Models;

/// <summary>Who an access token belongs to: the user and the device (one login) it was issued to.</summary>
[GenerateSerializer, Immutable, Alias("messenger.TokenGrant")]
public sealed record TokenGrant(
    [property: Id(0)] string UserId,
    [property: Id(1)] string DeviceId);
