namespace Messenger.Grains.Storage;

/// <summary>Names of the grain storage providers the silo registers.</summary>
public static class StorageNames
{
    /// <summary>Messenger's own grain state, stored as readable JSONB.</summary>
    public const string Messenger = "messenger";

    /// <summary>Orleans stream pub/sub state (the name Orleans looks for).</summary>
    public const string PubSub = "PubSubStore";
}
