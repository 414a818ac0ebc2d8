using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Messenger.Tests.Infrastructure;

/// <summary>A client WebSocket that speaks JSON frames, with timeouts that say what they waited for.</summary>
public sealed class TestSocket(WebSocket socket) : IAsyncDisposable
{
    private readonly List<JsonElement> _unread = [];

    public WebSocket Socket => socket;

    public WebSocketCloseStatus? CloseStatus { get; private set; }

    public Task SendJsonAsync(object frame) => SendTextAsync(JsonSerializer.Serialize(frame));

    public Task SendTextAsync(string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>The next frame of the given type (others are kept for later calls).</summary>
    public async Task<JsonElement> NextAsync(string type, Func<JsonElement, bool>? match = null, TimeSpan? timeout = null)
    {
        bool Matches(JsonElement f) => f.GetProperty("type").GetString() == type && (match?.Invoke(f) ?? true);
        var found = _unread.FindIndex(f => Matches(f));
        if (found >= 0)
        {
            var frame = _unread[found];
            _unread.RemoveAt(found);
            return frame;
        }

        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            JsonElement? next;
            try
            {
                next = await ReceiveAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No \"{type}\" frame arrived; unread: {string.Join(", ", _unread.Select(f => f.GetProperty("type").GetString()))}");
            }

            if (next is null)
            {
                throw new InvalidOperationException($"The socket closed ({CloseStatus}) while waiting for \"{type}\".");
            }

            if (Matches(next.Value))
            {
                return next.Value;
            }

            _unread.Add(next.Value);
        }
    }

    /// <summary>Waits for the server to close the socket and returns the close code.</summary>
    public async Task<WebSocketCloseStatus?> ClosedAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        while (await ReceiveAsync(cts.Token) is not null)
        {
        }

        return CloseStatus;
    }

    /// <summary>Frames received so far but not yet taken, of the given type.</summary>
    public IReadOnlyList<JsonElement> Unread(string type) => _unread.Where(f => f.GetProperty("type").GetString() == type).ToList();

    /// <summary>Reads whatever arrives within the window, or until the connection ends, into the unread list.</summary>
    public async Task DrainAsync(TimeSpan window)
    {
        using var cts = new CancellationTokenSource(window);
        try
        {
            while (await ReceiveAsync(cts.Token) is { } frame)
            {
                _unread.Add(frame);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (WebSocketException)
        {
            // The connection died (the server process was killed): nothing more will come.
        }
    }

    private async Task<JsonElement?> ReceiveAsync(CancellationToken token)
    {
        var buffer = new byte[1 << 20];
        var length = 0;
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), token);
            length += result.Count;
        }
        while (!result.EndOfMessage);

        if (result.MessageType == WebSocketMessageType.Close)
        {
            CloseStatus = result.CloseStatus;
            return null;
        }

        return JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        if (socket.State == WebSocketState.Open)
        {
            try
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
            }
            catch (WebSocketException)
            {
            }
        }

        socket.Dispose();
    }
}
