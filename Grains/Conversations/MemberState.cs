namespace Messenger.Grains.Conversations;

/// <summary>One member as stored in <see cref="ConversationState"/>.</summary>
internal sealed class MemberState
{
    public required string UserId { get; set; }

    public required string Username { get; set; }

    public MemberRole Role { get; set; }

    public long ReadSeq { get; set; }

    public DateTimeOffset JoinedAt { get; set; }
}
