namespace Messenger.Grains.Interfaces.Models;

/// <summary>A conversation member with role and read position.</summary>
[GenerateSerializer, Immutable, Alias("messenger.MemberInfo")]
public sealed record MemberInfo(
    [property: Id(0)] string UserId,
    [property: Id(1)] string Username,
    [property: Id(2)] MemberRole Role,
    [property: Id(3)] long ReadSeq);
