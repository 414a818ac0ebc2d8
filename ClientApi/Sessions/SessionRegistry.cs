using System.Collections.Concurrent;

namespace Messenger.ClientApi.Sessions;

/// <summary>The WebSocket sessions this ClientApi holds, by session id.</summary>
public sealed class SessionRegistry
{
    private readonly ConcurrentDictionary<string, ClientSession> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    public void Add(ClientSession session) => _sessions[session.SessionId] = session;

    public void Remove(ClientSession session) => _sessions.TryRemove(new KeyValuePair<string, ClientSession>(session.SessionId, session));

    public ClientSession? Find(string sessionId) => _sessions.GetValueOrDefault(sessionId);

    public IReadOnlyCollection<ClientSession> All() => _sessions.Values.ToList();
}
