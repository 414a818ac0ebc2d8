namespace Messenger.ClientApi.Contracts;

/// <summary>What others see of a user's availability.</summary>
/// <param name="Status"><c>online</c>, <c>away</c>, <c>busy</c> or <c>offline</c>; the caller's own may also be <c>invisible</c>.</param>
/// <param name="Note">Optional free text.</param>
public sealed record PresenceResponse(string Status, string? Note = null);
