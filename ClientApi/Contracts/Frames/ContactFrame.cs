namespace Messenger.ClientApi.Contracts.Frames;

/// <summary>The caller's relation to another user changed.</summary>
/// <param name="UserId">The other user.</param>
/// <param name="Username">The other user's username.</param>
/// <param name="State"><c>incoming</c>, <c>accepted</c>, <c>removed</c>, or <c>outgoing</c> (to the requester's own sessions).</param>
public sealed record ContactFrame(string UserId, string Username, string State);
