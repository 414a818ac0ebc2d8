namespace Messenger.Grains.Interfaces;

/// <summary>
/// Keyed 0: the ClientApi instances that are alive, by heartbeat. Silos cache the list and
/// publish each event once per live ClientApi; a ClientApi that stops beating is dropped.
/// </summary>
[Alias("messenger.IClientApiDirectoryGrain")]
public interface IClientApiDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>Registers or renews a ClientApi for <see cref="Models.ClientApiLeases.Duration"/>.</summary>
    [Alias("Heartbeat")]
    Task Heartbeat(string clientApiId);

    [Alias("Remove")]
    Task Remove(string clientApiId);

    [Alias("GetLive"), AlwaysInterleave]
    Task<IReadOnlyList<string>> GetLive();
}
