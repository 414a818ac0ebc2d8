using System.Text.RegularExpressions;
using Messenger.ClientApi.Contracts;
using Messenger.Grains.Interfaces;
using Messenger.Grains.Interfaces.Models;

namespace Messenger.ClientApi.Apis;

/// <summary>Finding users by username, shared by the endpoints that take usernames.</summary>
public static partial class Lookup
{
    /// <summary>The profile of a username, or null when it is malformed or has no account.</summary>
    public static async Task<UserProfile?> FindUserAsync(IGrainFactory grains, string username)
    {
        if (!UsernameRegex().IsMatch(username))
        {
            return null;
        }

        var userId = await grains.GetGrain<IAccountGrain>(username.ToLowerInvariant()).GetUserId();
        return userId is null ? null : await grains.GetGrain<IUserGrain>(userId).GetProfile();
    }

    [GeneratedRegex(Validation.UsernamePattern)]
    private static partial Regex UsernameRegex();
}
