namespace Messenger.Bench.Chaos;

/// <summary>
/// The moment a client first held a message, by push or by catch-up, and on which socket
/// (<see cref="Socket"/> counts the client's sockets; <see cref="SocketUpAt"/> is when that one
/// was ready). Timestamps are <see cref="System.Diagnostics.Stopwatch"/> ticks.
/// </summary>
public readonly record struct Delivery(string ConversationId, long Seq, long At, bool ByPush, int Socket, long SocketUpAt);
