using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using Messenger.ClientApi.Contracts.Frames;
using Messenger.ClientApi.Errors;
using Messenger.Grains.Interfaces;
using Messenger.Grains.Interfaces.Models;

namespace Messenger.ClientApi.Sessions;

/// <summary>
/// One WebSocket session: a reader loop that handles client frames, and a writer loop that is
/// the only sender on the socket, fed by a bounded queue. Pushes never wait on a socket: when
/// a slow client lets its queue fill, the session is closed and the client catches up on
/// reconnect, so one slow reader costs nobody else anything.
/// </summary>
public sealed partial class ClientSession
{
    /// <summary>Close code for a token revoked by logout (protocol).</summary>
    public const WebSocketCloseStatus Revoked = (WebSocketCloseStatus)4001;

    /// <summary>Close code when this ClientApi stops: reconnect at once, to another instance.</summary>
    public const WebSocketCloseStatus GoingAway = WebSocketCloseStatus.EndpointUnavailable;

    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(5);

    private readonly WebSocket _socket;
    private readonly SessionContext _context;
    private readonly SessionOutbox<Outgoing> _outbox;
    private readonly SemaphoreSlim _sendSlots;
    private volatile bool _closing;
    private volatile bool _draining;

    public ClientSession(string userId, string deviceId, WebSocket socket, SessionContext context)
    {
        UserId = userId;
        DeviceId = deviceId;
        _socket = socket;
        _context = context;
        _outbox = new SessionOutbox<Outgoing>(context.Options.SendQueueLength);
        _sendSlots = new SemaphoreSlim(context.Options.MaxConcurrentSends);
    }

    public string SessionId { get; } = $"s_{Guid.NewGuid():N}";

    public string UserId { get; }

    public string DeviceId { get; }

    public SessionLease Lease => new(SessionId, _context.Identity.InstanceId, DeviceId);

    /// <summary>Queues a frame; false (and the session closes) when the client is not keeping up.</summary>
    public bool Enqueue(byte[] frame)
    {
        if (_outbox.TryWrite(new Outgoing(frame, null, null)))
        {
            return true;
        }

        if (_closing)
        {
            return false; // already closing: frames after the close frame are dropped
        }

        LogSlowClient(_context.Logger, SessionId);
        Close((WebSocketCloseStatus)1013, "Too slow; reconnect and catch up.");
        return false;
    }

    /// <summary>Closes the socket after the frames already queued.</summary>
    public void Close(WebSocketCloseStatus status, string reason)
    {
        _closing = true;
        if (!_outbox.TryWrite(new Outgoing(null, status, reason)))
        {
            Abort(); // queue full: no polite close possible
        }

        _outbox.Complete();
    }

    /// <summary>Cuts the connection: both loops end, whatever they were waiting for.</summary>
    private void Abort()
    {
        _outbox.Complete();
        _socket.Abort();
    }

    /// <summary>
    /// Ends the session for a shutdown without an error reaching the client: frames that arrive
    /// from now on are not taken (an unanswered send is retried by the client after it
    /// reconnects), the sends in flight are acknowledged, then the socket closes with 1001.
    /// </summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        _draining = true;
        using var deadline = new CancellationTokenSource(timeout);
        var held = 0;
        try
        {
            // Holding every send slot means no send is in flight any more; they are not given
            // back, so a frame read just before the drain began cannot start a send after it.
            for (; held < _context.Options.MaxConcurrentSends; held++)
            {
                await _sendSlots.WaitAsync(deadline.Token);
            }
        }
        catch (OperationCanceledException)
        {
            LogDrainTimedOut(_context.Logger, SessionId, _context.Options.MaxConcurrentSends - held);
        }

        Close(GoingAway, "Server going away; reconnect.");
    }

    public async Task RunAsync()
    {
        // The loops take no cancellation token: they end when the connection drops (a receive
        // fails), the socket is aborted or the outbox completes. Token sources and callbacks
        // registered on every receive and queue read (7 per session, and the request's abort
        // token, which Kestrel creates only when asked for) were a tenth of an idle session's
        // memory.
        var user = _context.References.Get<IUserGrain>(UserId);

        // Registered before the snapshot, so nothing sent in between is missed; pushes that
        // arrive meanwhile wait in the outbox until `ready` has gone out first.
        IReadOnlyList<ConversationPosition> positions;
        try
        {
            positions = await user.Connect(Lease);
        }
        catch (Exception ex)
        {
            LogConnectFailed(_context.Logger, ex, SessionId);
            await _socket.CloseAsync((WebSocketCloseStatus)1013, "The cluster is unavailable; retry.", CancellationToken.None);
            return;
        }

        var ready = new ReadyFrame(SessionId, UserId, positions.Select(p => new ConversationPositionFrame(p.ConversationId, p.LastSeq, p.ReadSeq)).ToList());
        try
        {
            await _socket.SendAsync(_context.Frames.Frame("ready", ready), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            return; // the client went away while the session was being registered
        }

        var writer = WriteLoopAsync();
        var reader = ReadLoopAsync();
        var first = await Task.WhenAny(writer, reader);
        _outbox.Complete();
        if (first.IsCompletedSuccessfully)
        {
            // End with a complete close handshake. When our close frame is out, let the reader
            // take the client's answer: cutting the connection with unread frames in the buffer
            // sends a reset, which can cost the client the last acks and the close frame itself.
            // When the client closed first, let the writer send what is queued and the answering
            // close frame: cancelling it instead threw in every session's last steps (8.6 % of
            // the ClientApi's CPU in a reconnect storm).
            await Task.WhenAny(first == writer ? reader : writer, Task.Delay(CloseHandshakeTimeout, CancellationToken.None));
        }

        Abort();
        await Task.WhenAll(Quietly(writer), Quietly(reader));
    }

    private async Task ReadLoopAsync()
    {
        var max = _context.Options.MaxFrameBytes;
        while (true)
        {
            // Wait for the next frame without a buffer (a zero-byte read returns once a frame's
            // header is in): an idle session then pins none. The buffer starts small and grows
            // only for a big frame.
            var result = await _socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);
            var buffer = ArrayPool<byte>.Shared.Rent(4096);
            try
            {
                var length = 0;
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close)
                {
                    if (length > max)
                    {
                        Close(WebSocketCloseStatus.MessageTooBig, $"Frames are limited to {max} bytes.");
                        return;
                    }

                    if (length == buffer.Length)
                    {
                        var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, max + 1));
                        buffer.AsSpan(0, length).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }

                    result = await _socket.ReceiveAsync(buffer.AsMemory(length, Math.Min(buffer.Length, max + 1) - length), CancellationToken.None);
                    length += result.Count;
                }

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    Close(WebSocketCloseStatus.NormalClosure, "Bye.");
                    return;
                }

                if (length > max)
                {
                    Close(WebSocketCloseStatus.MessageTooBig, $"Frames are limited to {max} bytes.");
                    return;
                }

                if (result.MessageType != WebSocketMessageType.Text)
                {
                    Enqueue(_context.Frames.Error(null, ErrorCodes.ValidationFailed, "Frames are JSON text messages."));
                    continue;
                }

                if (_draining)
                {
                    continue; // not taken: the client retries after it reconnects
                }

                // Parsed and done with before the buffer goes back.
                await HandleFrameAsync(buffer.AsMemory(0, length));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private async Task HandleFrameAsync(ReadOnlyMemory<byte> data)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(data);
        }
        catch (JsonException)
        {
            Enqueue(_context.Frames.Error(null, ErrorCodes.ValidationFailed, "The frame is not valid JSON."));
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                Enqueue(_context.Frames.Error(null, ErrorCodes.ValidationFailed, "A frame is a JSON object with a \"type\"."));
                return;
            }

            JsonElement? reference = root.TryGetProperty("ref", out var r) ? r.Clone() : null;
            var type = root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            switch (type)
            {
                case "ping":
                    Enqueue(_context.Frames.Frame("pong", new PongFrame(reference)));
                    break;
                case "send":
                    if (ClientFrames.TryReadSend(root, _context.MaxTextLength, out var send, out var sendError))
                    {
                        // Sends run concurrently up to a limit per session and one per ClientApi;
                        // past either, the send is refused at once rather than left waiting. (The
                        // reader used to wait for a slot: under overload that moved the queue into
                        // the socket and the client, where it grew without bound — measured: p99 of
                        // 16 s and 24 s to recover after 30 s at twice the maximum.)
                        if (!_sendSlots.Wait(0))
                        {
                            Enqueue(_context.Frames.Error(reference, ErrorCodes.RateLimited, $"This session has {_context.Options.MaxConcurrentSends} sends waiting for their acks; retry shortly."));
                        }
                        else if (_context.Admission.TryEnter())
                        {
                            _ = SendAsync(reference, send);
                        }
                        else
                        {
                            _sendSlots.Release();
                            Enqueue(_context.Frames.Error(reference, ErrorCodes.RateLimited, "Too many sends in flight; retry shortly."));
                        }
                    }
                    else
                    {
                        Enqueue(_context.Frames.Error(reference, sendError.Code, sendError.Message));
                    }

                    break;
                case "read":
                    if (ClientFrames.TryReadReceipt(root, out var conversationId, out var seq, out var readError))
                    {
                        _ = CallAsync(reference, () => _context.References.Get<IConversationGrain>(conversationId).MarkRead(UserId, seq));
                    }
                    else
                    {
                        Enqueue(_context.Frames.Error(reference, readError.Code, readError.Message));
                    }

                    break;
                case "typing":
                    if (ClientFrames.TryReadTyping(root, out var typingIn, out var typing, out var typingError))
                    {
                        _ = CallAsync(reference, () => _context.References.Get<IConversationGrain>(typingIn).SetTyping(UserId, typing));
                    }
                    else
                    {
                        Enqueue(_context.Frames.Error(reference, typingError.Code, typingError.Message));
                    }

                    break;
                case "presence":
                    if (ClientFrames.TryReadPresence(root, out var presence, out var presenceError))
                    {
                        _ = CallAsync(reference, () => _context.References.Get<IUserGrain>(UserId).SetPresence(presence));
                    }
                    else
                    {
                        Enqueue(_context.Frames.Error(reference, presenceError.Code, presenceError.Message));
                    }

                    break;
                default:
                    Enqueue(_context.Frames.Error(reference, ErrorCodes.ValidationFailed, type is null
                        ? "The frame has no \"type\"."
                        : $"Unknown frame type \"{Truncate(type)}\"."));
                    break;
            }
        }
    }

    private async Task SendAsync(JsonElement? reference, SendFrame send)
    {
        try
        {
            await _context.Sender.SendAsync(
                send.ConversationId,
                new SendMessageCommand(UserId, send.ClientMessageId, send.Text, send.ReplyTo),
                result => Enqueue(_context.Frames.Frame("ack", new AckFrame(reference, result.ConversationId, result.Seq, result.SentAt.UtcDateTime))));
        }
        catch (Exception ex)
        {
            var (code, message) = MessengerExceptionHandler.Classify(ex);
            Enqueue(_context.Frames.Error(reference, code, message));
        }
        finally
        {
            _context.Admission.Exit();
            _sendSlots.Release();
        }
    }

    /// <summary>Runs a frame that has no answer; only a failure is told, as an <c>error</c> frame.</summary>
    private async Task CallAsync(JsonElement? reference, Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (Exception ex)
        {
            var (code, message) = MessengerExceptionHandler.Classify(ex);
            Enqueue(_context.Frames.Error(reference, code, message));
        }
    }

    private async Task WriteLoopAsync()
    {
        while (await _outbox.WaitToReadAsync())
        {
            while (_outbox.TryRead(out var item))
            {
                if (item.Frame is not null)
                {
                    await _socket.SendAsync(item.Frame, WebSocketMessageType.Text, true, CancellationToken.None);
                    continue;
                }

                if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    await _socket.CloseOutputAsync(item.CloseStatus!.Value, item.CloseReason, CancellationToken.None);
                }

                return;
            }
        }
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer went away; there is nobody left to tell.
        }
    }

    private static string Truncate(string value) => value.Length <= 32 ? value : value[..32] + "…";

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} cannot keep up with its pushes; closing it")]
    private static partial void LogSlowClient(ILogger logger, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId} still had {Sends} send(s) in flight when its drain timed out")]
    private static partial void LogDrainTimedOut(ILogger logger, string sessionId, int sends);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId} could not register with the cluster")]
    private static partial void LogConnectFailed(ILogger logger, Exception ex, string sessionId);

    private readonly record struct Outgoing(byte[]? Frame, WebSocketCloseStatus? CloseStatus, string? CloseReason);
}
