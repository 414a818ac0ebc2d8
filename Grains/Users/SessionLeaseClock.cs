namespace Messenger.Grains.Users;

/// <summary>
/// The clock that session leases and presence are judged by: a keyed <see cref="TimeProvider"/>
/// (the system clock unless a test registers its own), kept apart from the clock Orleans itself
/// uses so that a test can move lease time without disturbing the cluster's membership.
/// </summary>
public static class SessionLeaseClock
{
    public const string Key = "messenger.session-leases";
}
