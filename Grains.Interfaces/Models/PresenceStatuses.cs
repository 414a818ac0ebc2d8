namespace Messenger.Grains.Interfaces.Models;

/// <summary>Presence values as the protocol spells them.</summary>
public static class PresenceStatuses
{
    public const string Online = "online";
    public const string Away = "away";
    public const string Busy = "busy";
    public const string Invisible = "invisible";
    public const string Offline = "offline";

    /// <summary>What a user may choose; <c>offline</c> is only ever derived.</summary>
    public static bool IsChoosable(string status) => status is Online or Away or Busy or Invisible;
}
