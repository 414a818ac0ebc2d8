namespace Messenger.Grains.Interfaces;

/// <summary>
/// Keyed 0: the ClientApi instances that are alive, by heartbeat, and the push stream each one
/// listens on now. Silos cache the list and publish each event once per live ClientApi; a
/// ClientApi that stops beating is dropped.
/// </summary>
[Alias("messenger.IClientApiDirectoryGrain")]
public interface IClientApiDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Registers or renews a ClientApi for <see cref="Models.ClientApiLeases.Duration"/>, with the
    /// key of the push stream it listens on (it moves to a fresh stream after a silo failure).
    /// </summary>
    [Alias("Heartbeat")]
    Task Heartbeat(string clientApiId, string streamKey);

    /// <summary>Publishes a <see cref="Push.PushProbe"/> on the given push stream, through this silo's push path.</summary>
    [Alias("Probe"), AlwaysInterleave]
    Task Probe(string streamKey, string nonce);

    [Alias("Remove")]
    Task Remove(string clientApiId);

    /// <summary>Live ClientApi ids and the push stream key of each, and whether the list can be whole yet.</summary>
    [Alias("GetLive"), AlwaysInterleave]
    Task<Models.ClientApiDirectoryView> GetLive();
}
