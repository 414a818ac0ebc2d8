namespace Messenger.Grains.Interfaces.Push;

/// <summary>
/// Names of the push path: every ClientApi instance subscribes to one stream of its own,
/// keyed by its instance id, and each silo publishes <see cref="PushBatch"/> items there.
/// </summary>
public static class PushStreams
{
    public const string ProviderName = "push";
    public const string Namespace = "clientapi";

    public static StreamId ForClientApi(string clientApiId) => StreamId.Create(Namespace, clientApiId);
}
