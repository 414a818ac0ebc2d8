namespace Messenger.Grains.Push;

/// <summary>
/// The live ClientApis, by heartbeat, in memory: after a move to another silo the list is
/// rebuilt within one heartbeat, which is why it needs no storage.
/// </summary>
internal sealed class ClientApiDirectoryGrain(TimeProvider time) : Grain, IClientApiDirectoryGrain
{
    private readonly Dictionary<string, DateTimeOffset> _expires = new(StringComparer.Ordinal);

    public Task Heartbeat(string clientApiId)
    {
        _expires[clientApiId] = time.GetUtcNow() + ClientApiLeases.Duration;
        return Task.CompletedTask;
    }

    public Task Remove(string clientApiId)
    {
        _expires.Remove(clientApiId);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> GetLive()
    {
        var now = time.GetUtcNow();
        return Task.FromResult<IReadOnlyList<string>>(_expires.Where(e => e.Value > now).Select(e => e.Key).Order(StringComparer.Ordinal).ToList());
    }
}
