namespace Messenger.ClientApi.Contracts.Frames;

/// <summary>What an accepted contact shows changed.</summary>
/// <param name="UserId">The contact.</param>
/// <param name="Username">The contact's username.</param>
/// <param name="Status"><c>online</c>, <c>away</c>, <c>busy</c> or <c>offline</c>.</param>
/// <param name="Note">The contact's note, when they set one.</param>
public sealed record PresenceFrame(string UserId, string Username, string Status, string? Note);
