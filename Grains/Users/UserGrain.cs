using Messenger.Grains.Push;
using Messenger.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace Messenger.Grains.Users;

/// <summary>
/// One user: profile, conversation list, and the live sessions with the ClientApi that holds
/// each (presence, the ready snapshot, closing a device's sockets). Message pushes do not pass
/// through here: conversations publish to the ClientApis directly (<see cref="PushOutbox"/>).
/// </summary>
internal sealed partial class UserGrain(
    [PersistentState("user", StorageNames.Messenger)] IPersistentState<UserState> state,
    PushOutbox outbox,
    TimeProvider time,
    ILogger<UserGrain> logger) : Grain, IUserGrain
{
    private readonly Dictionary<string, LiveSession> _sessions = new(StringComparer.Ordinal);
    private IGrainTimer? _expiryTimer;

    private UserState State => state.State;

    private string Id => this.GetPrimaryKeyString();

    public async Task<UserProfile> Initialize(string username, string displayName)
    {
        if (!State.Exists)
        {
            State.Exists = true;
            State.Username = username;
            State.DisplayName = displayName;
            State.CreatedAt = time.GetUtcNow();
            await state.WriteStateAsync();
        }

        return Profile();
    }

    public Task<UserProfile?> GetProfile() => Task.FromResult(State.Exists ? Profile() : null);

    public Task<UserStatus?> GetStatus()
    {
        if (!State.Exists)
        {
            return Task.FromResult<UserStatus?>(null);
        }

        DropExpiredSessions();
        var presence = _sessions.Count > 0 ? "online" : "offline";
        return Task.FromResult<UserStatus?>(new UserStatus(Profile(), presence, null));
    }

    public async Task AddConversation(string conversationId)
    {
        if (State.Conversations.Add(conversationId))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task RemoveConversation(string conversationId)
    {
        if (State.Conversations.Remove(conversationId))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task<IReadOnlyList<ConversationSummary>> ListConversations()
    {
        var summaries = await Task.WhenAll(State.Conversations.Select(id =>
            GrainFactory.GetGrain<IConversationGrain>(id).GetSummary(Id)));
        return summaries.OfType<ConversationSummary>().OrderByDescending(s => s.LastActivityAt).ToList();
    }

    public async Task<IReadOnlyList<ConversationPosition>> Connect(SessionLease session)
    {
        if (!State.Exists)
        {
            throw MessengerException.NotFound("User");
        }

        Lease(session);
        LogConnected(Id, session.SessionId, session.ClientApiId);
        var positions = await Task.WhenAll(State.Conversations.Select(id =>
            GrainFactory.GetGrain<IConversationGrain>(id).GetPosition(Id)));
        return positions.OfType<ConversationPosition>().ToList();
    }

    public Task Disconnect(string sessionId)
    {
        _sessions.Remove(sessionId);
        return Task.CompletedTask;
    }

    public Task RenewSessions(IReadOnlyList<SessionLease> sessions)
    {
        foreach (var session in sessions)
        {
            Lease(session);
        }

        return Task.CompletedTask;
    }

    public Task CloseDevice(string deviceId)
    {
        var closing = _sessions.Values.Where(s => s.Lease.DeviceId == deviceId).ToList();
        foreach (var group in closing.GroupBy(s => s.Lease.ClientApiId))
        {
            outbox.PublishToSessions(group.Key, Id, group.Select(s => s.Lease.SessionId).ToList(), new SessionRevoked());
        }

        foreach (var session in closing)
        {
            _sessions.Remove(session.Lease.SessionId);
        }

        return Task.CompletedTask;
    }

    private void Lease(SessionLease session)
    {
        _sessions[session.SessionId] = new LiveSession(session, time.GetUtcNow() + SessionLeases.Duration);
        _expiryTimer ??= this.RegisterGrainTimer(
            () =>
            {
                DropExpiredSessions();
                return Task.CompletedTask;
            },
            new GrainTimerCreationOptions(SessionLeases.Duration, SessionLeases.Duration) { KeepAlive = false });
    }

    private void DropExpiredSessions()
    {
        var now = time.GetUtcNow();
        foreach (var (id, session) in _sessions)
        {
            if (session.ExpiresAt <= now)
            {
                _sessions.Remove(id);
                LogLeaseExpired(Id, id);
            }
        }
    }

    private UserProfile Profile() => new(Id, State.Username, State.DisplayName);

    private readonly record struct LiveSession(SessionLease Lease, DateTimeOffset ExpiresAt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "User {UserId}: session {SessionId} connected via {ClientApiId}")]
    private partial void LogConnected(string userId, string sessionId, string clientApiId);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId}: session {SessionId} lease expired")]
    private partial void LogLeaseExpired(string userId, string sessionId);
}
