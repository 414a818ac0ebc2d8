using Messenger.Grains.Push;
using Messenger.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Messenger.Grains.Users;

/// <summary>
/// One user: profile, conversation list, the cached side of each relationship, the chosen
/// presence, and the live sessions with the ClientApi that holds each (presence, the ready
/// snapshot, closing a device's sockets). Message pushes do not pass through here:
/// conversations publish to the ClientApis directly (<see cref="PushOutbox"/>).
/// Presence is pushed the same way: a change is one envelope naming every accepted contact,
/// which the outbox sends once per ClientApi, so a user with thousands of contacts costs no
/// grain call per contact.
/// </summary>
internal sealed partial class UserGrain(
    [PersistentState("user", StorageNames.Messenger)] IPersistentState<UserState> state,
    PushOutbox outbox,
    [FromKeyedServices(SessionLeaseClock.Key)] TimeProvider time,
    ILogger<UserGrain> logger) : Grain, IUserGrain
{
    private const int MaxNoteLength = 200;
    private static readonly Presence Offline = new(PresenceStatuses.Offline, null);

    private readonly Dictionary<string, LiveSession> _sessions = new(StringComparer.Ordinal);
    private IGrainTimer? _expiryTimer;

    // What contacts were last told; a change is pushed only when this would differ.
    private Presence _published = Offline;
    private string[]? _acceptedIds;

    private UserState State => state.State;

    // The key, decoded once: GetPrimaryKeyString decodes and allocates it on every call, and a
    // call uses it several times.
    private string? _id;

    private string Id => _id ??= this.GetPrimaryKeyString();

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

        // The user sees their own choice (invisible included) while a session is live.
        return Task.FromResult<UserStatus?>(_sessions.Count > 0
            ? new UserStatus(Profile(), State.PresenceStatus, State.PresenceNote)
            : new UserStatus(Profile(), PresenceStatuses.Offline, null));
    }

    public Task<Presence?> GetPresenceFor(string viewerId)
    {
        DropExpiredSessions();
        return Task.FromResult(IsAccepted(viewerId) ? Visible() : null);
    }

    public async Task SetPresence(Presence presence)
    {
        if (!PresenceStatuses.IsChoosable(presence.Status))
        {
            throw MessengerException.Invalid("status must be online, away, busy or invisible.");
        }

        var note = string.IsNullOrWhiteSpace(presence.Note) ? null : presence.Note.Trim();
        if (note?.Length > MaxNoteLength)
        {
            throw MessengerException.Invalid($"note must be at most {MaxNoteLength} characters.");
        }

        if (State.PresenceStatus != presence.Status || State.PresenceNote != note)
        {
            State.PresenceStatus = presence.Status;
            State.PresenceNote = note;
            await state.WriteStateAsync();
        }

        PublishPresenceIfChanged();
    }

    public Task<IReadOnlyList<ContactInfo>> ListContacts() => Task.FromResult<IReadOnlyList<ContactInfo>>(State.Contacts
        .Where(c => c.Value.State != ContactState.None)
        .Select(c => new ContactInfo(new UserProfile(c.Key, c.Value.Username, c.Value.DisplayName), c.Value.State))
        .OrderBy(c => c.User.Username, StringComparer.OrdinalIgnoreCase)
        .ToList());

    public Task<IReadOnlyList<UserProfile>> ListBlocks() => Task.FromResult<IReadOnlyList<UserProfile>>(State.Contacts
        .Where(c => c.Value.BlockedByMe)
        .Select(c => new UserProfile(c.Key, c.Value.Username, c.Value.DisplayName))
        .OrderBy(u => u.Username, StringComparer.OrdinalIgnoreCase)
        .ToList());

    public async Task ApplyContact(ContactUpdate update)
    {
        var otherId = update.Other.UserId;
        var known = State.Contacts.GetValueOrDefault(otherId);
        if (known is not null && update.Version <= known.Version)
        {
            return; // already known, or older than what is known
        }

        var before = known?.State ?? ContactState.None;
        if (update.State == ContactState.None && !update.BlockedByMe)
        {
            if (known is null)
            {
                return;
            }

            State.Contacts.Remove(otherId);
        }
        else
        {
            State.Contacts[otherId] = new ContactEntry
            {
                Username = update.Other.Username,
                DisplayName = update.Other.DisplayName,
                State = update.State,
                BlockedByMe = update.BlockedByMe,
                Version = update.Version,
            };
        }

        _acceptedIds = null;
        await state.WriteStateAsync();
        if (update.State == before)
        {
            return;
        }

        var change = update.State switch
        {
            ContactState.Accepted => ContactEvents.Accepted,
            ContactState.Incoming => ContactEvents.Incoming,
            ContactState.Outgoing => ContactEvents.Outgoing,
            _ => ContactEvents.Removed,
        };
        outbox.Publish([Id], new ContactChanged(otherId, update.Other.Username, change));
        if (update.State == ContactState.Accepted && Visible() is { Status: not PresenceStatuses.Offline } visible)
        {
            // The new contact learns where this user stands now (offline is what clients assume);
            // from here on, every change.
            outbox.Publish([otherId], PresenceEvent(visible));
        }
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
        if (_sessions.Remove(sessionId))
        {
            PublishPresenceIfChanged();
        }

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

        PublishPresenceIfChanged();
        return Task.CompletedTask;
    }

    private void Lease(SessionLease session)
    {
        _sessions[session.SessionId] = new LiveSession(session, time.GetUtcNow() + SessionLeases.Duration);
        PublishPresenceIfChanged();

        // Checked every renewal period, so a dead ClientApi's users turn offline at most one
        // period after their lease ran out.
        _expiryTimer ??= this.RegisterGrainTimer(
            () =>
            {
                DropExpiredSessions();
                return Task.CompletedTask;
            },
            new GrainTimerCreationOptions(SessionLeases.RenewEvery, SessionLeases.RenewEvery) { KeepAlive = false });
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

        PublishPresenceIfChanged();
    }

    /// <summary>What contacts see: offline without a live session or while invisible, else the choice.</summary>
    private Presence Visible() => _sessions.Count == 0 || State.PresenceStatus == PresenceStatuses.Invisible
        ? Offline
        : new Presence(State.PresenceStatus, State.PresenceNote);

    private void PublishPresenceIfChanged()
    {
        var visible = Visible();
        if (visible == _published)
        {
            return;
        }

        _published = visible;
        var contacts = _acceptedIds ??= State.Contacts.Where(c => c.Value.State == ContactState.Accepted).Select(c => c.Key).ToArray();
        if (contacts.Length > 0)
        {
            outbox.Publish(contacts, PresenceEvent(visible));
        }
    }

    private PresenceChanged PresenceEvent(Presence presence) => new(Id, State.Username, presence.Status, presence.Note);

    private bool IsAccepted(string userId) => State.Contacts.TryGetValue(userId, out var entry) && entry.State == ContactState.Accepted;

    private UserProfile Profile() => new(Id, State.Username, State.DisplayName);

    private readonly record struct LiveSession(SessionLease Lease, DateTimeOffset ExpiresAt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "User {UserId}: session {SessionId} connected via {ClientApiId}")]
    private partial void LogConnected(string userId, string sessionId, string clientApiId);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId}: session {SessionId} lease expired")]
    private partial void LogLeaseExpired(string userId, string sessionId);
}
