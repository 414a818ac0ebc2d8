namespace Messenger.ClientApi.Contracts;

/// <summary>A new access token. Send it as <c>Authorization: Bearer</c>, or <c>?access_token=</c> on the WebSocket.</summary>
/// <param name="AccessToken">The secret; shown only this once.</param>
/// <param name="UserId">The account's id.</param>
/// <param name="Username">The username as registered.</param>
/// <param name="DeviceId">Identifies this login; logout closes its sockets.</param>
public sealed record LoginResponse(string AccessToken, string UserId, string Username, string DeviceId);
