using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;
using System.Threading.Channels;

namespace Messenger.Bench.Baseline;

/// <summary>
/// The baseline of the benchmark: the direct-chat subset of Messenger's client protocol served
/// from memory by a bare Kestrel, with no Orleans and no PostgreSQL. What it sustains is the
/// transport ceiling of the machine; the gap to Messenger is what the cluster and the database
/// cost. Nothing is durable, on purpose.
/// </summary>
/// <remarks>
/// Subset: register, login, get-or-create direct conversations and create groups, history with
/// <c>after</c>/<c>before</c>/<c>limit</c> over the last <see cref="RelayConversation.Retained"/>
/// messages of each conversation, and the WebSocket with <c>ready</c>, <c>send</c> → <c>ack</c> +
/// <c>message</c> pushes (idempotent by clientMessageId), and <c>ping</c> → <c>pong</c>. JSON
/// shapes match PROTOCOL.md. Sockets work like Messenger's: one reader loop, one writer loop
/// fed by a bounded queue, and a client that lets its queue fill is dropped.
/// </remarks>
public sealed class RawRelay : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RelayState _state = new();
    private int _disposed;

    private RawRelay(WebApplication app)
    {
        _app = app;
        BaseAddress = new Uri("http://127.0.0.1/"); // replaced once Kestrel has bound its port
    }

    /// <summary>The relay's root, e.g. <c>http://127.0.0.1:5123/</c>; the API lives under <c>api/v1/</c>.</summary>
    public Uri BaseAddress { get; private set; }

    /// <summary>Starts Kestrel on <c>http://127.0.0.1:{port}</c>; port 0 picks a free port.</summary>
    public static async Task<RawRelay> StartAsync(int port, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);

        var builder = WebApplication.CreateSlimBuilder();

        // The relay runs inside the load generator's process: its environment variables and
        // appsettings (ASPNETCORE_URLS, log levels) are meant for something else, so ignore them.
        builder.Configuration.Sources.Clear();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port);
        });

        var app = builder.Build();
        var relay = new RawRelay(app);
        try
        {
            relay.MapEndpoints();
            await app.StartAsync(ct);
            relay.BaseAddress = new Uri(app.Urls.First());
            return relay;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Stopping cancels every session (they watch ApplicationStopping), so this is quick;
        // the timeout only bounds a connection that refuses to go.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(timeout.Token);
        }
        finally
        {
            await _app.DisposeAsync();
        }
    }

    private void MapEndpoints()
    {
        _app.UseWebSockets();
        _app.MapPost("/api/v1/auth/register", RegisterAsync);
        _app.MapPost("/api/v1/auth/login", LoginAsync);
        _app.MapPost("/api/v1/conversations", CreateConversationAsync);
        _app.MapGet("/api/v1/conversations/{conversationId}/messages", HistoryAsync);
        _app.Map("/api/v1/ws", ConnectAsync);
    }

    private async Task RegisterAsync(HttpContext context)
    {
        var request = await ReadBodyAsync(context, RelayJson.Default.RegisterRequest);
        if (request is null)
        {
            await ProblemAsync(context, RelayErrors.ValidationFailed, "The body must be a JSON object.");
            return;
        }

        if (!RelayState.IsValidUsername(request.Username))
        {
            await ProblemAsync(context, RelayErrors.ValidationFailed, "username must be 3-32 characters from A-Z a-z 0-9 . _ -");
            return;
        }

        if (request.Password is not { Length: >= 8 and <= 128 })
        {
            await ProblemAsync(context, RelayErrors.ValidationFailed, "password must be 8-128 characters.");
            return;
        }

        var user = _state.Register(request.Username, request.Password, request.DisplayName);
        if (user is null)
        {
            await ProblemAsync(context, RelayErrors.UsernameTaken, "That username is taken.");
            return;
        }

        await WriteAsync(context, StatusCodes.Status201Created, new RelayUserResponse(user.UserId, user.Username, user.DisplayName), RelayJson.Default.RelayUserResponse);
    }

    private async Task LoginAsync(HttpContext context)
    {
        var request = await ReadBodyAsync(context, RelayJson.Default.LoginRequest);
        var login = request is null ? null : _state.Login(request.Username, request.Password);
        if (login is null)
        {
            await ProblemAsync(context, RelayErrors.InvalidCredentials, "Unknown username or wrong password.");
            return;
        }

        var (token, user) = login.Value;
        await WriteAsync(context, StatusCodes.Status200OK, new RelayLoginResponse(token, user.UserId, user.Username, $"dev_{Guid.NewGuid():N}"), RelayJson.Default.RelayLoginResponse);
    }

    private async Task CreateConversationAsync(HttpContext context)
    {
        var caller = Authenticate(context, allowQueryToken: false);
        if (caller is null)
        {
            await ProblemAsync(context, RelayErrors.Unauthorized, "A valid bearer token is required.");
            return;
        }

        var request = await ReadBodyAsync(context, RelayJson.Default.CreateConversationRequest);
        RelayConversation conversation;
        bool created;
        switch (request?.Kind)
        {
            case "direct":
                if (_state.FindUser(request.With) is not { } other)
                {
                    await ProblemAsync(context, RelayErrors.NotFound, $"No user named \"{request.With}\".");
                    return;
                }

                if (other == caller)
                {
                    await ProblemAsync(context, RelayErrors.ValidationFailed, "A direct conversation needs another user.");
                    return;
                }

                (conversation, created) = _state.OpenDirect(caller, other);
                break;
            case "group":
                if (string.IsNullOrWhiteSpace(request.Title))
                {
                    await ProblemAsync(context, RelayErrors.ValidationFailed, "title is required for a group.");
                    return;
                }

                var members = new List<RelayUser> { caller };
                foreach (var username in request.Members ?? [])
                {
                    if (_state.FindUser(username) is not { } member)
                    {
                        await ProblemAsync(context, RelayErrors.NotFound, $"No user named \"{username}\".");
                        return;
                    }

                    if (!members.Contains(member))
                    {
                        members.Add(member);
                    }
                }

                conversation = _state.CreateGroup(request.Title, members);
                created = true;
                break;
            default:
                await ProblemAsync(context, RelayErrors.ValidationFailed, "kind must be \"direct\" or \"group\".");
                return;
        }

        if (created)
        {
            context.Response.Headers.Location = $"/api/v1/conversations/{conversation.Id}";
        }

        await WriteAsync(context, created ? StatusCodes.Status201Created : StatusCodes.Status200OK, conversation.Describe(caller), RelayJson.Default.RelayConversationResponse);
    }

    private async Task HistoryAsync(HttpContext context)
    {
        var caller = Authenticate(context, allowQueryToken: false);
        if (caller is null)
        {
            await ProblemAsync(context, RelayErrors.Unauthorized, "A valid bearer token is required.");
            return;
        }

        var id = context.Request.RouteValues["conversationId"] as string;
        if (id is null || !_state.Conversations.TryGetValue(id, out var conversation) || conversation.IndexOf(caller) < 0)
        {
            await ProblemAsync(context, RelayErrors.NotFound, "No such conversation.");
            return;
        }

        var query = context.Request.Query;
        if (!TryQuery(query, "after", out var after) || !TryQuery(query, "before", out var before) || !TryQuery(query, "limit", out var limit))
        {
            await ProblemAsync(context, RelayErrors.ValidationFailed, "after, before and limit must be integers.");
            return;
        }

        if (after < 0 || before < 0 || limit is < 1 or > 200)
        {
            await ProblemAsync(context, RelayErrors.ValidationFailed, "after and before must not be negative; limit must be 1-200.");
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = context.Response.BodyWriter;
        body.Write("{\"messages\":["u8);
        var hasMore = conversation.WritePage(after, before, (int)(limit ?? 50), body);
        body.Write(hasMore ? "],\"hasMore\":true}"u8 : "],\"hasMore\":false}"u8);
        await body.FlushAsync(context.RequestAborted);
    }

    private async Task ConnectAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await ProblemAsync(context, RelayErrors.ValidationFailed, "This endpoint takes a WebSocket upgrade.");
            return;
        }

        var user = Authenticate(context, allowQueryToken: true);
        if (user is null)
        {
            await ProblemAsync(context, RelayErrors.Unauthorized, "A valid access_token is required.");
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = TimeSpan.FromSeconds(15),
            KeepAliveTimeout = TimeSpan.FromSeconds(30),
        });
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _app.Lifetime.ApplicationStopping);
        await new RelaySession(user, socket, _state).RunAsync(lifetime.Token);
    }

    private RelayUser? Authenticate(HttpContext context, bool allowQueryToken)
    {
        string? token = null;
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = header[7..].Trim();
        }
        else if (allowQueryToken)
        {
            // Browsers cannot set headers on a WebSocket, hence the query string there.
            token = context.Request.Query["access_token"].ToString();
        }

        return string.IsNullOrEmpty(token) ? null : _state.Authenticate(token);
    }

    private static bool TryQuery(IQueryCollection query, string name, out long? value)
    {
        value = null;
        var raw = query[name].ToString();
        if (raw.Length == 0)
        {
            return true;
        }

        if (!long.TryParse(raw, out var parsed))
        {
            return false;
        }

        value = parsed;
        return true;
    }

    private static async Task<T?> ReadBodyAsync<T>(HttpContext context, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return await context.Request.ReadFromJsonAsync(type, context.RequestAborted);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null; // malformed JSON or not a JSON content type: a 400, never a 500
        }
    }

    private static Task WriteAsync<T>(HttpContext context, int status, T body, JsonTypeInfo<T> type, string contentType = "application/json; charset=utf-8")
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(body, type, contentType, context.RequestAborted);
    }

    private static Task ProblemAsync(HttpContext context, string code, string detail)
    {
        var (status, title) = code switch
        {
            RelayErrors.Unauthorized or RelayErrors.InvalidCredentials => (StatusCodes.Status401Unauthorized, "Unauthorized"),
            RelayErrors.NotFound => (StatusCodes.Status404NotFound, "Not found"),
            RelayErrors.UsernameTaken => (StatusCodes.Status409Conflict, "Conflict"),
            _ => (StatusCodes.Status400BadRequest, "Invalid request"),
        };
        return WriteAsync(context, status, new RelayProblem(title, status, detail, code), RelayJson.Default.RelayProblem, "application/problem+json");
    }
}

/// <summary>The protocol's error codes used by the relay.</summary>
internal static class RelayErrors
{
    public const string ValidationFailed = "validation_failed";
    public const string InvalidCredentials = "invalid_credentials";
    public const string Unauthorized = "unauthorized";
    public const string UsernameTaken = "username_taken";
    public const string NotFound = "not_found";
    public const string MessageTooLarge = "message_too_large";
}

/// <summary>Everything the relay knows: accounts, tokens and conversations, in memory only.</summary>
internal sealed class RelayState
{
    private readonly ConcurrentDictionary<string, RelayUser> _users = new(StringComparer.Ordinal); // by lower-cased username
    private readonly ConcurrentDictionary<string, RelayUser> _tokens = new(StringComparer.Ordinal);

    public RelayState()
    {
        ConversationsById = Conversations.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public ConcurrentDictionary<string, RelayConversation> Conversations { get; } = new(StringComparer.Ordinal);

    /// <summary>Finds a conversation by an id still in a buffer, so a send allocates no string for it.</summary>
    public ConcurrentDictionary<string, RelayConversation>.AlternateLookup<ReadOnlySpan<char>> ConversationsById { get; }

    private static readonly SearchValues<char> UsernameChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");

    public static bool IsValidUsername([NotNullWhen(true)] string? username) =>
        username is { Length: >= 3 and <= 32 } && !username.AsSpan().ContainsAnyExcept(UsernameChars);

    public RelayUser? Register(string username, string password, string? displayName)
    {
        var key = username.ToLowerInvariant();
        var user = new RelayUser("u_" + key, username, string.IsNullOrWhiteSpace(displayName) ? username : displayName, password);
        return _users.TryAdd(key, user) ? user : null;
    }

    public (string Token, RelayUser User)? Login(string? username, string? password)
    {
        if (FindUser(username) is not { } user || !string.Equals(user.Password, password, StringComparison.Ordinal))
        {
            return null;
        }

        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        _tokens[token] = user;
        return (token, user);
    }

    public RelayUser? Authenticate(string token) => _tokens.GetValueOrDefault(token);

    public RelayUser? FindUser(string? username) =>
        username is null ? null : _users.GetValueOrDefault(username.ToLowerInvariant());

    /// <summary>Get-or-create: the same pair always gets the same conversation (same id scheme as Messenger).</summary>
    public (RelayConversation Conversation, bool Created) OpenDirect(RelayUser a, RelayUser b)
    {
        if (string.CompareOrdinal(a.UserId, b.UserId) > 0)
        {
            (a, b) = (b, a);
        }

        var id = $"d_{a.UserId}_{b.UserId}";
        if (Conversations.TryGetValue(id, out var existing))
        {
            return (existing, false);
        }

        var conversation = new RelayConversation(id, "direct", null, [a, b]);
        if (!Conversations.TryAdd(id, conversation))
        {
            return (Conversations[id], false); // lost a race with the other side opening it
        }

        a.Join(conversation);
        b.Join(conversation);
        return (conversation, true);
    }

    /// <summary>A new group; the first member is the creator and its owner.</summary>
    public RelayConversation CreateGroup(string title, List<RelayUser> members)
    {
        var conversation = new RelayConversation($"g_{Guid.CreateVersion7():N}", "group", title, [.. members]);
        Conversations[conversation.Id] = conversation;
        foreach (var member in members)
        {
            member.Join(conversation);
        }

        return conversation;
    }
}

/// <summary>An account with its live sessions and its conversations.</summary>
internal sealed class RelayUser(string userId, string username, string displayName, string password)
{
    private readonly Lock _gate = new();

    // Copy-on-write arrays: the fan-out reads them on every message without taking a lock.
    private RelaySession[] _sessions = [];
    private RelayConversation[] _conversations = [];

    public string UserId { get; } = userId;

    public string Username { get; } = username;

    public string DisplayName { get; } = displayName;

    public string Password { get; } = password;

    /// <summary>Pre-escaped for the frame writer, so a push does not re-encode it.</summary>
    public JsonEncodedText UserIdJson { get; } = JsonEncodedText.Encode(userId);

    public JsonEncodedText UsernameJson { get; } = JsonEncodedText.Encode(username);

    public RelaySession[] Sessions => Volatile.Read(ref _sessions);

    public RelayConversation[] Conversations => Volatile.Read(ref _conversations);

    public void Connect(RelaySession session)
    {
        lock (_gate)
        {
            Volatile.Write(ref _sessions, [.. _sessions, session]);
        }
    }

    public void Disconnect(RelaySession session)
    {
        lock (_gate)
        {
            Volatile.Write(ref _sessions, Array.FindAll(_sessions, s => s != session));
        }
    }

    public void Join(RelayConversation conversation)
    {
        lock (_gate)
        {
            Volatile.Write(ref _conversations, [.. _conversations, conversation]);
        }
    }
}

/// <summary>
/// One conversation: owns the seq, its latest messages with their idempotency keys, and the
/// members' read positions. One lock per conversation, never held across an await.
/// </summary>
internal sealed class RelayConversation
{
    /// <summary>Messages kept per conversation for catch-up; older ones (and their idempotency keys) are forgotten.</summary>
    public const int Retained = 100_000;

    private readonly Lock _gate = new();
    private readonly RelayMessageLog _log = new(Retained);
    private readonly long[] _readSeqs;
    private long _lastSeq;

    public RelayConversation(string id, string kind, string? title, RelayUser[] members)
    {
        Id = id;
        IdJson = JsonEncodedText.Encode(id);
        Kind = kind;
        Title = title;
        Members = members;
        _readSeqs = new long[members.Length];
    }

    public string Id { get; }

    public JsonEncodedText IdJson { get; }

    public string Kind { get; }

    public string? Title { get; }

    /// <summary>Fixed at creation; for a group the first one is the owner.</summary>
    public RelayUser[] Members { get; }

    public long LastSeq => Volatile.Read(ref _lastSeq);

    public int IndexOf(RelayUser user) => Array.IndexOf(Members, user);

    public long ReadSeqOf(int memberIndex) => Volatile.Read(ref _readSeqs[memberIndex]);

    /// <summary>
    /// Stores a message and pushes it to every session of every member, the sender's own
    /// included. Returns false, with the original message's seq and time, when (sender,
    /// clientMessageId) was already sent: nothing is stored or pushed again.
    /// </summary>
    public bool Send(int senderIndex, string clientMessageId, ReadOnlySpan<byte> text, out long seq, out DateTime sentAt)
    {
        var sender = Members[senderIndex];
        var key = RelayMessageLog.KeyOf(senderIndex, clientMessageId);
        lock (_gate)
        {
            if (_log.TryFind(key, out seq))
            {
                sentAt = _log.SentAtOf(seq);
                return false;
            }

            // Microseconds, as PostgreSQL would store it. The frame is built before the seq is
            // committed, so nothing can leave a gap.
            var now = DateTime.UtcNow;
            sentAt = new DateTime(now.Ticks - (now.Ticks % 10), DateTimeKind.Utc);
            seq = _lastSeq + 1;
            var frame = RelayFrames.Message(this, seq, sender, text, sentAt, clientMessageId);
            // The frame is {"type":"message",<fields>}; what history serves is "{" + <fields>.
            _log.Append(key, sentAt, frame.AsSpan(RelayFrames.MessagePrefix.Length));
            Volatile.Write(ref _lastSeq, seq);
            Volatile.Write(ref _readSeqs[senderIndex], seq); // sending reads up to one's own message

            // Fanning out under the lock keeps every session's pushes in seq order; Enqueue
            // never waits, so the lock is held for microseconds.
            foreach (var member in Members)
            {
                foreach (var session in member.Sessions)
                {
                    session.Enqueue(frame);
                }
            }

            return true;
        }
    }

    /// <summary>
    /// Writes a page of message objects, comma-separated, in ascending order, and says whether
    /// there are more. <paramref name="after"/>: seq &gt; after; <paramref name="before"/>: the
    /// page just before it; neither: the latest page. hasMore looks only at retained messages.
    /// </summary>
    public bool WritePage(long? after, long? before, int limit, IBufferWriter<byte> into)
    {
        lock (_gate)
        {
            var oldest = _log.OldestSeq;
            long from, to;
            bool hasMore;
            if (after is { } a)
            {
                from = Math.Max(a + 1, oldest);
                to = Math.Min(_lastSeq, from + limit - 1);
                hasMore = to < _lastSeq;
            }
            else
            {
                to = before is { } b ? Math.Min(b - 1, _lastSeq) : _lastSeq;
                from = Math.Max(oldest, to - limit + 1);
                hasMore = from > oldest;
            }

            for (var seq = from; seq <= to; seq++)
            {
                into.Write(seq == from ? "{"u8 : ",{"u8);
                into.Write(_log.JsonOf(seq));
            }

            return hasMore;
        }
    }

    public RelayConversationResponse Describe(RelayUser caller)
    {
        var members = new RelayMemberResponse[Members.Length];
        for (var i = 0; i < members.Length; i++)
        {
            var role = Kind == "group" && i == 0 ? "owner" : "member";
            members[i] = new RelayMemberResponse(Members[i].UserId, Members[i].Username, role, ReadSeqOf(i));
        }

        // A direct conversation is titled with the other user's name, as in Messenger.
        var title = Kind == "direct" ? Array.Find(Members, m => m != caller)?.Username : Title;
        return new RelayConversationResponse(Id, Kind, title, LastSeq, members);
    }
}

/// <summary>
/// One WebSocket session: a reader loop that handles client frames inline (the relay has nothing
/// to wait for), and a writer loop that is the only sender on the socket, fed by a bounded
/// queue, as in Messenger's ClientApi.
/// </summary>
internal sealed class RelaySession(RelayUser user, WebSocket socket, RelayState state)
{
    private const int MaxFrameBytes = 64 * 1024;
    private const int QueueLength = 2048; // Messenger's default SendQueueLength
    private const int MaxTextLength = 4000;
    private const int MaxConversationIdLength = 200;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);
    private static readonly SearchValues<char> ClientMessageIdChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:");

    private readonly Channel<byte[]> _outbox = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(QueueLength)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly CancellationTokenSource _stop = new();
    private volatile bool _closing;
    private WebSocketCloseStatus _closeStatus = WebSocketCloseStatus.NormalClosure;
    private string _closeReason = "Bye.";

    public string SessionId { get; } = $"s_{Guid.NewGuid():N}";

    /// <summary>Queues a frame. Never waits: a client that lets its queue fill is dropped and catches up on reconnect.</summary>
    public void Enqueue(byte[] frame)
    {
        if (!_outbox.Writer.TryWrite(frame) && !_closing)
        {
            _closing = true;
            _outbox.Writer.TryComplete();

            // Cancelled in the background: this runs inside a conversation's fan-out, which must
            // neither wait for the socket to be torn down nor see an exception from it.
            _ = _stop.CancelAsync();
        }
    }

    public async Task RunAsync(CancellationToken aborted)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, _stop.Token);
        var token = linked.Token;

        // Registered before the ready snapshot so nothing sent in between is missed; pushes that
        // arrive meanwhile wait in the outbox until ready has gone out first.
        user.Connect(this);
        try
        {
            await socket.SendAsync(RelayFrames.Ready(SessionId, user), WebSocketMessageType.Text, true, token);
            var writer = WriteLoopAsync(token);
            var reader = ReadLoopAsync(token);
            await Task.WhenAny(writer, reader);

            // A writer still draining gets a moment to flush and send its close frame; then stop both.
            _closing = true;
            _outbox.Writer.TryComplete();
            await Task.WhenAny(writer, Task.Delay(DrainTimeout, token));
            await _stop.CancelAsync();
            await Quietly(writer);
            await Quietly(reader);
        }
        catch (Exception ex) when (IsDisconnect(ex))
        {
            // The peer went away before ready; there is nobody left to tell.
        }
        finally
        {
            user.Disconnect(this);
        }
    }

    private async Task ReadLoopAsync(CancellationToken token)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxFrameBytes + 1);
        try
        {
            while (!token.IsCancellationRequested)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(length, MaxFrameBytes + 1 - length), token);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close && length <= MaxFrameBytes);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    Close(WebSocketCloseStatus.NormalClosure, "Bye.");
                    return;
                }

                if (length > MaxFrameBytes)
                {
                    Close(WebSocketCloseStatus.MessageTooBig, $"Frames are limited to {MaxFrameBytes} bytes.");
                    return;
                }

                if (result.MessageType != WebSocketMessageType.Text)
                {
                    Enqueue(RelayFrames.Error(default, RelayErrors.ValidationFailed, "Frames are JSON text messages."));
                    continue;
                }

                HandleFrame(buffer.AsSpan(0, length));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task WriteLoopAsync(CancellationToken token)
    {
        var outbox = _outbox.Reader;
        while (await outbox.WaitToReadAsync(token))
        {
            while (outbox.TryRead(out var frame))
            {
                await socket.SendAsync(frame.AsMemory(), WebSocketMessageType.Text, true, token);
            }
        }

        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            await socket.CloseOutputAsync(_closeStatus, _closeReason, token);
        }
    }

    /// <summary>Closes the socket politely after the frames already queued.</summary>
    private void Close(WebSocketCloseStatus status, string reason)
    {
        _closeStatus = status;
        _closeReason = reason;
        _closing = true;
        _outbox.Writer.TryComplete();
    }

    /// <summary>
    /// Reads a client frame in one pass with <see cref="Utf8JsonReader"/>, straight from the
    /// receive buffer: the ref is echoed as raw bytes and the text goes into the push as UTF-8,
    /// so a send allocates only its clientMessageId and the frames it produces.
    /// </summary>
    private void HandleFrame(ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<byte> reference = default, text = default;
        var kind = FrameKind.Missing;
        var hasConversationId = false;
        RelayConversation? conversation = null;
        string? clientMessageId = null;
        byte[]? unescapedText = null;
        Span<char> idChars = stackalloc char[MaxConversationIdLength];
        try
        {
            try
            {
                var reader = new Utf8JsonReader(data);
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    Enqueue(RelayFrames.Error(default, RelayErrors.ValidationFailed, "A frame is a JSON object with a \"type\"."));
                    return;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("type"u8))
                    {
                        reader.Read();
                        kind = reader.TokenType != JsonTokenType.String ? FrameKind.Missing
                            : reader.ValueTextEquals("send"u8) ? FrameKind.Send
                            : reader.ValueTextEquals("ping"u8) ? FrameKind.Ping
                            : FrameKind.Unknown;
                    }
                    else if (reader.ValueTextEquals("ref"u8))
                    {
                        reader.Read();
                        var start = (int)reader.TokenStartIndex;
                        reader.Skip();
                        reference = data[start..(int)reader.BytesConsumed];
                    }
                    else if (reader.ValueTextEquals("conversationId"u8))
                    {
                        reader.Read();
                        hasConversationId = reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0;
                        conversation = hasConversationId && reader.ValueSpan.Length <= MaxConversationIdLength
                            && state.ConversationsById.TryGetValue(idChars[..reader.CopyString(idChars)], out var found) ? found : null;
                    }
                    else if (reader.ValueTextEquals("clientMessageId"u8))
                    {
                        reader.Read();
                        clientMessageId = reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length <= 64 * 6 ? reader.GetString() : null;
                    }
                    else if (reader.ValueTextEquals("text"u8))
                    {
                        reader.Read();
                        if (reader.TokenType != JsonTokenType.String)
                        {
                            text = default;
                        }
                        else if (!reader.ValueIsEscaped)
                        {
                            text = reader.ValueSpan;
                        }
                        else
                        {
                            unescapedText ??= ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
                            text = unescapedText.AsSpan(0, reader.CopyString(unescapedText));
                        }
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
            {
                // Malformed JSON, a bad escape, or a text that outgrew its first buffer (repeated field).
                Enqueue(RelayFrames.Error(default, RelayErrors.ValidationFailed, "The frame is not valid JSON."));
                return;
            }

            switch (kind)
            {
                case FrameKind.Send:
                    Send(reference, hasConversationId, conversation, clientMessageId, text);
                    break;
                case FrameKind.Ping:
                    Enqueue(RelayFrames.Pong(reference));
                    break;
                case FrameKind.Missing:
                    Enqueue(RelayFrames.Error(reference, RelayErrors.ValidationFailed, "The frame has no \"type\"."));
                    break;
                default:
                    Enqueue(RelayFrames.Error(reference, RelayErrors.ValidationFailed, "Unknown frame type; the relay takes \"send\" and \"ping\"."));
                    break;
            }
        }
        finally
        {
            if (unescapedText is not null)
            {
                ArrayPool<byte>.Shared.Return(unescapedText);
            }
        }
    }

    private void Send(ReadOnlySpan<byte> reference, bool hasConversationId, RelayConversation? conversation, string? clientMessageId, ReadOnlySpan<byte> text)
    {
        string? problem = null;
        var code = RelayErrors.ValidationFailed;
        var senderIndex = conversation?.IndexOf(user) ?? -1;
        if (!hasConversationId)
        {
            problem = "conversationId is required and must be a non-empty string.";
        }
        else if (!IsValidClientMessageId(clientMessageId))
        {
            problem = "clientMessageId must be 1-64 characters from A-Z a-z 0-9 - _ . :";
        }
        else if (text.IsEmpty || !Utf8.IsValid(text))
        {
            problem = "text is required and must be a non-empty string.";
        }
        else if (text.Length > MaxTextLength && Encoding.UTF8.GetCharCount(text) > MaxTextLength) // UTF-8 never has fewer bytes than chars
        {
            (code, problem) = (RelayErrors.MessageTooLarge, $"text is longer than {MaxTextLength} characters.");
        }
        else if (senderIndex < 0)
        {
            (code, problem) = (RelayErrors.NotFound, "No such conversation.");
        }

        if (problem is not null)
        {
            Enqueue(RelayFrames.Error(reference, code, problem));
            return;
        }

        conversation!.Send(senderIndex, clientMessageId!, text, out var seq, out var sentAt);
        Enqueue(RelayFrames.Ack(reference, conversation, seq, sentAt));
    }

    private static bool IsValidClientMessageId(string? id) =>
        id is { Length: >= 1 and <= 64 } && !id.AsSpan().ContainsAnyExcept(ClientMessageIdChars);

    private static bool IsDisconnect(Exception ex) => ex is WebSocketException or OperationCanceledException or ObjectDisposedException;

    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception ex) when (IsDisconnect(ex))
        {
            // The peer went away; there is nobody left to tell.
        }
    }

    private enum FrameKind
    {
        Missing,
        Send,
        Ping,
        Unknown,
    }
}

/// <summary>
/// Writes server frames with <see cref="Utf8JsonWriter"/> into a per-thread buffer: one exact-size
/// array per frame, and a pushed message is written once and shared by all its recipients.
/// Frames are built synchronously, so a thread's buffer is never used by two frames at once.
/// </summary>
internal static class RelayFrames
{
    [ThreadStatic]
    private static FrameBuffer? t_buffer;

    /// <summary>How every message frame starts; the rest is the message object's fields.</summary>
    public static ReadOnlySpan<byte> MessagePrefix => "{\"type\":\"message\","u8;

    public static byte[] Message(RelayConversation conversation, long seq, RelayUser sender, ReadOnlySpan<byte> text, DateTime sentAt, string clientMessageId)
    {
        var json = Begin("message"u8);
        json.WriteString("conversationId"u8, conversation.IdJson);
        json.WriteNumber("seq"u8, seq);
        json.WriteString("senderId"u8, sender.UserIdJson);
        json.WriteString("senderUsername"u8, sender.UsernameJson);
        json.WriteString("text"u8, text);
        json.WriteString("sentAt"u8, sentAt);
        json.WriteString("clientMessageId"u8, clientMessageId);
        return End(json);
    }

    public static byte[] Ack(ReadOnlySpan<byte> reference, RelayConversation conversation, long seq, DateTime sentAt)
    {
        var json = Begin("ack"u8);
        WriteRef(json, reference);
        json.WriteString("conversationId"u8, conversation.IdJson);
        json.WriteNumber("seq"u8, seq);
        json.WriteString("sentAt"u8, sentAt);
        return End(json);
    }

    public static byte[] Ready(string sessionId, RelayUser user)
    {
        var json = Begin("ready"u8);
        json.WriteString("sessionId"u8, sessionId);
        json.WriteString("userId"u8, user.UserIdJson);
        json.WriteStartArray("conversations"u8);
        foreach (var conversation in user.Conversations)
        {
            json.WriteStartObject();
            json.WriteString("conversationId"u8, conversation.IdJson);
            json.WriteNumber("lastSeq"u8, conversation.LastSeq);
            json.WriteNumber("readSeq"u8, conversation.ReadSeqOf(conversation.IndexOf(user)));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        return End(json);
    }

    public static byte[] Pong(ReadOnlySpan<byte> reference)
    {
        var json = Begin("pong"u8);
        WriteRef(json, reference);
        return End(json);
    }

    public static byte[] Error(ReadOnlySpan<byte> reference, string code, string message)
    {
        var json = Begin("error"u8);
        WriteRef(json, reference);
        json.WriteString("code"u8, code);
        json.WriteString("message"u8, message);
        return End(json);
    }

    /// <summary>The client's ref, echoed byte for byte; absent when the client sent none.</summary>
    private static void WriteRef(Utf8JsonWriter json, ReadOnlySpan<byte> reference)
    {
        if (!reference.IsEmpty)
        {
            json.WritePropertyName("ref"u8);
            json.WriteRawValue(reference, skipInputValidation: true);
        }
    }

    private static Utf8JsonWriter Begin(ReadOnlySpan<byte> type)
    {
        var buffer = t_buffer ??= new FrameBuffer();
        buffer.Bytes.ResetWrittenCount();
        buffer.Json.Reset(buffer.Bytes);
        buffer.Json.WriteStartObject();
        buffer.Json.WriteString("type"u8, type);
        return buffer.Json;
    }

    private static byte[] End(Utf8JsonWriter json)
    {
        json.WriteEndObject();
        json.Flush();
        return t_buffer!.Bytes.WrittenSpan.ToArray();
    }

    private sealed class FrameBuffer
    {
        public FrameBuffer()
        {
            Json = new Utf8JsonWriter(Bytes, new JsonWriterOptions { SkipValidation = true });
        }

        public ArrayBufferWriter<byte> Bytes { get; } = new(1024);

        public Utf8JsonWriter Json { get; }
    }
}

internal sealed record RegisterRequest(string? Username, string? Password, string? DisplayName);

internal sealed record LoginRequest(string? Username, string? Password, string? Device);

internal sealed record CreateConversationRequest(string? Kind, string? With, string? Title, List<string?>? Members);

internal sealed record RelayUserResponse(string UserId, string Username, string DisplayName);

internal sealed record RelayLoginResponse(string AccessToken, string UserId, string Username, string DeviceId);

internal sealed record RelayMemberResponse(string UserId, string Username, string Role, long ReadSeq);

internal sealed record RelayConversationResponse(string ConversationId, string Kind, string? Title, long LastSeq, IReadOnlyList<RelayMemberResponse> Members);

/// <summary>RFC 9457 problem details with the protocol's <c>code</c>.</summary>
internal sealed record RelayProblem(string Title, int Status, string Detail, string Code);

/// <summary>Source-generated JSON for the REST bodies: web defaults (camelCase), nulls omitted as in Messenger.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RegisterRequest))]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(CreateConversationRequest))]
[JsonSerializable(typeof(RelayUserResponse))]
[JsonSerializable(typeof(RelayLoginResponse))]
[JsonSerializable(typeof(RelayConversationResponse))]
[JsonSerializable(typeof(RelayProblem))]
internal sealed partial class RelayJson : JsonSerializerContext;
