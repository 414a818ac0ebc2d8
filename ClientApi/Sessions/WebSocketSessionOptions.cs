namespace Messenger.ClientApi.Sessions;

/// <summary>Limits of WebSocket sessions. Bound from <c>Messenger:WebSocket</c>.</summary>
public sealed class WebSocketSessionOptions
{
    public const string Section = "Messenger:WebSocket";

    /// <summary>Largest frame a client may send; a bigger one closes the socket with 1009.</summary>
    public int MaxFrameBytes { get; set; } = 64 * 1024;

    /// <summary>How often the server pings; a peer that stops answering is dropped.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the server waits for a pong before it drops the socket (keep-alive + this is under 60 s).</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Frames queued for a slow reader before the session is closed (it reconnects and catches up).</summary>
    public int SendQueueLength { get; set; } = 2048;

    /// <summary>Sends from one socket processed at once.</summary>
    public int MaxConcurrentSends { get; set; } = 32;

    /// <summary>How long a stopping ClientApi waits for a session's sends in flight before it closes the socket anyway.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Origins allowed to open a socket; empty allows any (tokens are not ambient, so this is defence in depth).</summary>
    public string[] AllowedOrigins { get; set; } = [];
}
