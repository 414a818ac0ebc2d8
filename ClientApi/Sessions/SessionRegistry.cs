using System.Collections.Concurrent;

namespace Messenger.ClientApi.Sessions;

/// <summary>The WebSocket sessions this ClientApi holds, by session id and by user.</summary>
public sealed class SessionRegistry
{
    private readonly ConcurrentDictionary<string, ClientSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ClientSession[]> _byUser = new(StringComparer.Ordinal);

    private volatile bool _accepting = true;

    public int Count => _sessions.Count;

    /// <summary>False once this ClientApi is stopping: new sockets are refused.</summary>
    public bool Accepting => _accepting;

    public void StopAccepting() => _accepting = false;

    public void Add(ClientSession session)
    {
        _sessions[session.SessionId] = session;
        _byUser.AddOrUpdate(session.UserId, _ => [session], (_, existing) => [.. existing, session]);
    }

    public void Remove(ClientSession session)
    {
        if (!_sessions.TryRemove(new KeyValuePair<string, ClientSession>(session.SessionId, session)))
        {
            return;
        }

        // Copy-on-write arrays: pushes read them without locks; connects and disconnects are rarer.
        while (_byUser.TryGetValue(session.UserId, out var existing))
        {
            var remaining = existing.Where(s => s != session).ToArray();
            var replaced = remaining.Length == 0
                ? _byUser.TryRemove(new KeyValuePair<string, ClientSession[]>(session.UserId, existing))
                : _byUser.TryUpdate(session.UserId, remaining, existing);
            if (replaced)
            {
                return;
            }
        }
    }

    public ClientSession? Find(string sessionId) => _sessions.GetValueOrDefault(sessionId);

    /// <summary>The sessions of a user held here (empty when none).</summary>
    public ClientSession[] ForUser(string userId) => _byUser.GetValueOrDefault(userId) ?? [];

    public IReadOnlyCollection<ClientSession> All() => _sessions.Values.ToList();
}
