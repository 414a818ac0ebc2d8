namespace Messenger.ClientApi.Contracts;

/// <summary>A ClientApi instance.</summary>
/// <param name="InstanceId">Its id (also the key of its push stream).</param>
/// <param name="Sessions">WebSocket sessions it holds now.</param>
public sealed record ClientApiResponse(string InstanceId, int Sessions);
