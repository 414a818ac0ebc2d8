namespace Messenger.Grains.Push;

/// <summary>
/// The live ClientApis, by heartbeat, in memory: after a move to another silo the list is
/// rebuilt within one heartbeat, which is why it needs no storage. Until a lease has passed
/// since activation the list says it may be partial, and silos keep the ClientApis they knew
/// that it does not name yet (<see cref="ClientApiDirectory"/>).
/// </summary>
internal sealed class ClientApiDirectoryGrain(TimeProvider time, PushOutbox outbox) : Grain, IClientApiDirectoryGrain
{
    private readonly Dictionary<string, (string StreamKey, DateTimeOffset Expires)> _live = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _completeFrom = time.GetUtcNow() + ClientApiLeases.Duration;

    public Task Heartbeat(string clientApiId, string streamKey)
    {
        _live[clientApiId] = (streamKey, time.GetUtcNow() + ClientApiLeases.Duration);
        return Task.CompletedTask;
    }

    public Task Probe(string streamKey, string nonce)
    {
        outbox.PublishToStream(streamKey, new PushEnvelope([], new PushProbe(nonce)));
        return Task.CompletedTask;
    }

    public Task Remove(string clientApiId)
    {
        _live.Remove(clientApiId);
        return Task.CompletedTask;
    }

    public Task<ClientApiDirectoryView> GetLive()
    {
        var now = time.GetUtcNow();
        return Task.FromResult(new ClientApiDirectoryView(
            _live.Where(e => e.Value.Expires > now).ToDictionary(e => e.Key, e => e.Value.StreamKey, StringComparer.Ordinal),
            Complete: now >= _completeFrom));
    }
}
