namespace Messenger.Grains.Conversations;

/// <summary>Limits of conversations and messages. Bound from <c>Messenger:Messages</c>.</summary>
public sealed class ConversationOptions
{
    public const string Section = "Messenger:Messages";

    /// <summary>Longest message text in characters (protocol default 4000).</summary>
    public int MaxTextLength { get; set; } = 4000;

    /// <summary>How long changed read positions may wait before they are saved together.</summary>
    public TimeSpan ReadPositionSaveDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long <c>typing: true</c> lasts without being repeated (protocol: 6 s).</summary>
    public TimeSpan TypingTimeout { get; set; } = TimeSpan.FromSeconds(6);
}
