namespace Messenger.Bench.Load;

/// <summary>One send as the generator tracks it; lives in a <see cref="SendTable"/> and is updated there in place.</summary>
internal struct SendRecord(int conversation, int senderSlot, long scheduled)
{
    public const int Pending = 0;
    public const int Acked = 1;
    public const int Failed = 2;

    public readonly int Conversation = conversation;

    public readonly int SenderSlot = senderSlot;

    /// <summary>When the send was due (a <see cref="System.Diagnostics.Stopwatch"/> timestamp): latency counts from here.</summary>
    public readonly long Scheduled = scheduled;

    public long Seq;

    public int State;
}
