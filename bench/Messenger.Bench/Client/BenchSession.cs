using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Messenger.Bench.Client;

/// <summary>
/// One simulated WebSocket session: a receive loop that hands every frame to a callback, and
/// sends serialized through a queue (a WebSocket allows one sender at a time). A send with none
/// ahead of it goes onto the socket on the caller's thread, as an app's send does; only sends
/// that find one on the way wait in the queue for it.
/// </summary>
public sealed class BenchSession : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentQueue<byte[]> _outbox = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _receiving = Task.CompletedTask;
    private Task _sending = Task.CompletedTask;

    // 1 while one caller drains the outbox onto the socket.
    private int _draining;

    private BenchSession(BenchUser user, int index)
    {
        User = user;
        Index = index;
        _socket.Options.KeepAliveInterval = TimeSpan.Zero;
    }

    public BenchUser User { get; }

    /// <summary>The session's number within its scenario.</summary>
    public int Index { get; }

    public bool IsOpen => _socket.State == WebSocketState.Open;

    /// <summary>Each conversation's <c>lastSeq</c> as the <c>ready</c> frame told it: what catch-up after a reconnect compares against.</summary>
    public IReadOnlyDictionary<string, long> ReadyLastSeqs { get; private set; } = new Dictionary<string, long>();

    /// <summary>Completes when the socket is gone: closed by the server, dropped, or disposed.</summary>
    public Task Completion => _receiving;

    /// <summary>The close code the server sent (1001 going away, 1013 try again…), null when the socket just dropped.</summary>
    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    /// <summary>Connects and returns once the <c>ready</c> frame has arrived.</summary>
    public static async Task<BenchSession> ConnectAsync(Uri baseAddress, BenchUser user, int index, Action<BenchSession, ServerFrame> onFrame, IPAddress? localAddress = null, CancellationToken cancellationToken = default)
    {
        var session = new BenchSession(user, index);
        try
        {
            var uri = new Uri($"{(baseAddress.Scheme == "https" ? "wss" : "ws")}://{baseAddress.Authority}/api/v1/ws?access_token={Uri.EscapeDataString(user.Token)}");
            if (localAddress is null)
            {
                await session._socket.ConnectAsync(uri, cancellationToken);
            }
            else
            {
                // One source address offers ~28k ephemeral ports; spreading sessions over
                // 127.0.0.x is how one machine opens 100k of them.
                using var handler = new SocketsHttpHandler { ConnectCallback = (context, token) => BindAndConnectAsync(context, localAddress, token) };
                using var invoker = new HttpMessageInvoker(handler, disposeHandler: false);
                await session._socket.ConnectAsync(uri, invoker, cancellationToken);
            }

            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            session._receiving = session.ReceiveLoopAsync(onFrame, ready);
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            return session;
        }
        catch
        {
            // A refused or half-open connection (a ClientApi that is down or stopping) must
            // not leave its socket and loops behind in a client that retries.
            await session.DisposeAsync();
            throw;
        }
    }

    public void Send(string json)
    {
        _outbox.Enqueue(Encoding.UTF8.GetBytes(json));
        if (!_stop.IsCancellationRequested && Interlocked.CompareExchange(ref _draining, 1, 0) == 0)
        {
            // Runs on this thread until a send does not complete at once (a full socket buffer).
            _sending = DrainAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bench done", timeout.Token);

                // Wait for the server's close frame, as a real client does: aborting at once made
                // both ends throw on every session and cost the generator 14 % of its CPU in the
                // reconnect storm.
                await _receiving.WaitAsync(timeout.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }

        await _stop.CancelAsync();
        _socket.Abort();
        await Task.WhenAll(_receiving, _sending).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        _socket.Dispose();
    }

    private async Task ReceiveLoopAsync(Action<BenchSession, ServerFrame> onFrame, TaskCompletionSource ready)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(128 * 1024);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length)
                    {
                        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan().CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }

                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), _stop.Token);
                    length += result.Count;
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                var frame = FrameReader.Read(buffer.AsSpan(0, length));
                if (frame.Type == "ready")
                {
                    // Once per socket, so a full parse costs nothing that matters.
                    ReadyLastSeqs = ReadLastSeqs(buffer.AsSpan(0, length));
                    ready.TrySetResult();
                }
                else
                {
                    onFrame(this, frame);
                }
            }

            ready.TrySetException(new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "The server closed the socket."));
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            ready.TrySetException(ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static Dictionary<string, long> ReadLastSeqs(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        using var document = JsonDocument.ParseValue(ref reader);
        var result = new Dictionary<string, long>();
        if (document.RootElement.TryGetProperty("conversations", out var conversations))
        {
            foreach (var c in conversations.EnumerateArray())
            {
                result[c.GetProperty("conversationId").GetString()!] = c.GetProperty("lastSeq").GetInt64();
            }
        }

        return result;
    }

    private async Task DrainAsync()
    {
        try
        {
            do
            {
                while (_outbox.TryDequeue(out var frame))
                {
                    await _socket.SendAsync(frame, WebSocketMessageType.Text, true, _stop.Token);
                }

                Volatile.Write(ref _draining, 0);
            }

            // A frame queued after the last dequeue but before the flag fell found the flag up
            // and left it to this drain.
            while (!_outbox.IsEmpty && Interlocked.CompareExchange(ref _draining, 1, 0) == 0);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The socket is gone: what is queued stays unsent, as with an app that lost its
            // connection; the flag stays up so nothing more is tried on it.
        }
    }

    private static async ValueTask<Stream> BindAndConnectAsync(SocketsHttpConnectionContext context, IPAddress local, CancellationToken token)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(local, 0));
            await socket.ConnectAsync(context.DnsEndPoint, token);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
