namespace Messenger.Grains.Interfaces.Models;

/// <summary>One entry of a user's contact list (pending requests included).</summary>
[GenerateSerializer, Immutable, Alias("messenger.ContactInfo")]
public sealed record ContactInfo(
    [property: Id(0)] UserProfile User,
    [property: Id(1)] ContactState State);
