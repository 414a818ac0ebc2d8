namespace Messenger.Grains.Interfaces.Push;

/// <summary>
/// The receiving user's relation to another user changed; becomes the <c>contact</c> frame.
/// <see cref="State"/> is one of <see cref="ContactEvents"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("messenger.ContactChanged")]
public sealed record ContactChanged(
    [property: Id(0)] string UserId,
    [property: Id(1)] string Username,
    [property: Id(2)] string State) : PushEvent;
