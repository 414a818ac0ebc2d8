using Messenger.Grains.Interfaces.Models;

namespace Messenger.Grains.Interfaces;

/// <summary>
/// Keyed by the lower-cased username: the unique, case-insensitive username index and the
/// password hash. Single-threaded per key, so two registrations of one name cannot both win.
/// </summary>
[Alias("messenger.IAccountGrain")]
public interface IAccountGrain : IGrainWithStringKey
{
    /// <summary>Creates the account; throws <c>username_taken</c> when the name has one.</summary>
    [Alias("Register")]
    Task<UserProfile> Register(string username, string passwordHash, string? displayName);

    /// <summary>The stored hash for login, or null when no such account exists.</summary>
    [Alias("GetCredentials")]
    Task<AccountCredentials?> GetCredentials();

    /// <summary>The user id behind this username, or null.</summary>
    [Alias("GetUserId")]
    Task<string?> GetUserId();
}
