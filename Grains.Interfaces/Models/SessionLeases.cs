namespace Messenger.Grains.Interfaces.Models;

/// <summary>
/// The session lease contract between ClientApis and user grains: a ClientApi renews every
/// session it holds each <see cref="RenewEvery"/>; a user grain forgets a session not renewed
/// within <see cref="Duration"/>, so a crashed ClientApi stops counting as "online".
/// </summary>
public static class SessionLeases
{
    public static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(15);

    public static readonly TimeSpan Duration = TimeSpan.FromSeconds(45);
}
