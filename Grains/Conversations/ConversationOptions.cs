namespace Messenger.Grains.Conversations;

/// <summary>Limits of conversations and messages. Bound from <c>Messenger:Messages</c>.</summary>
public sealed class ConversationOptions
{
    public const string Section = "Messenger:Messages";

    /// <summary>Longest message text in characters (protocol default 4000).</summary>
    public int MaxTextLength { get; set; } = 4000;

    /// <summary>How long a read position moved by a receipt may wait before the positions are saved together.</summary>
    public TimeSpan ReadPositionSaveDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long, on average, a read position moved only by its owner sending may wait before it
    /// is saved. Activation recovers those from the message log, so they need not be saved
    /// soon; saving them every 2 s cost a state write per busy conversation every 2 s (measured
    /// with 1,000 pairs at 2,500 sends/s: 426 writes/s and a third of PostgreSQL's CPU). The
    /// longer the delay, the more of the log a reactivation after a crash reads.
    /// </summary>
    public TimeSpan SentPositionSaveDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Most sends of one conversation committed in one append. While an append commits, the
    /// sends that arrive queue for the next one; the bound keeps one busy conversation from
    /// filling a whole batch of the message log.
    /// </summary>
    public int MaxSendsPerCommit { get; set; } = 64;

    /// <summary>
    /// How long a push published by stream may take to arrive, as far as ordering goes. For this
    /// long after a conversation change (created, renamed, members), the conversation's messages
    /// follow it by stream rather than in their senders' answers, which could overtake it. And a
    /// message stored after this long with nothing published starts a new burst
    /// (<c>SendResult.PushBurstStart</c>): a ClientApi new to the conversation starts its order
    /// there. ClientApis read the same setting: a push that arrives early waits this long for
    /// the ones before it (<c>MessagePushOrder</c>).
    /// </summary>
    public TimeSpan StreamSettleTime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The most members a conversation may have for its messages' pushes to ride in their
    /// senders' answers; larger ones push by stream only. A member of a busy large group gets
    /// many messages a second, and the stream hands each session several at a time (one wake-up
    /// of its writer), where answers come one message at a time: measured, a room of 500 held
    /// 305 messages/s with answered pushes against 474 by stream (docs/performance.md,
    /// "Session 15").
    /// </summary>
    public int AnsweredPushMaxMembers { get; set; } = 64;

    /// <summary>How long <c>typing: true</c> lasts without being repeated (protocol: 6 s).</summary>
    public TimeSpan TypingTimeout { get; set; } = TimeSpan.FromSeconds(6);
}
