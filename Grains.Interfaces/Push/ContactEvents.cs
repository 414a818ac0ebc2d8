namespace Messenger.Grains.Interfaces.Push;

/// <summary>The values of <see cref="ContactChanged.State"/>, as the protocol spells them.</summary>
public static class ContactEvents
{
    public const string Incoming = "incoming";
    public const string Accepted = "accepted";
    public const string Removed = "removed";

    /// <summary>Told to the requester's own sessions (an addition to the protocol's three values).</summary>
    public const string Outgoing = "outgoing";
}
