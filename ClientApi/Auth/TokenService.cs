using System.Security.Cryptography;
using System.Text;
using Messenger.ClientApi.Sessions;
using Messenger.Grains.Interfaces;
using Messenger.Grains.Interfaces.Models;
using Microsoft.Extensions.Caching.Memory;

namespace Messenger.ClientApi.Auth;

/// <summary>
/// Issues and checks access tokens. A token is 32 random bytes; only its SHA-256 is stored
/// (in a token grain), so a database dump holds no usable token. Checks are cached briefly
/// per ClientApi; that cache is why logout takes effect on other instances "within a few
/// seconds" (<see cref="CacheFor"/>) while sockets close at once through the push path.
/// </summary>
public sealed class TokenService(GrainReferences grains, IMemoryCache cache, LostCallRepeater repeater)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(3);

    public async Task<(string Token, string DeviceId)> IssueAsync(string userId)
    {
        var token = Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var deviceId = $"dev_{Guid.NewGuid():N}";
        await grains.Get<ITokenGrain>(Hash(token)).Issue(new TokenGrant(userId, deviceId));
        return (token, deviceId);
    }

    public async Task<TokenGrant?> ValidateAsync(string token)
    {
        var hash = Hash(token);
        if (cache.TryGetValue(hash, out TokenGrant? cached))
        {
            return cached;
        }

        // Every request starts here, so a check caught on a silo that died must not wait out the
        // response timeout (measured: a send's 503 after 10 s); a check is safe to repeat.
        var grant = await repeater.CallAsync(grains.Get<ITokenGrain>(hash), static (grain, gatewayLoss) => grain.Validate().WaitAsync(gatewayLoss));
        cache.Set(hash, grant, CacheFor);
        return grant;
    }

    public async Task RevokeAsync(string tokenHash)
    {
        cache.Remove(tokenHash);
        await grains.Get<ITokenGrain>(tokenHash).Revoke();
        cache.Set<TokenGrant?>(tokenHash, null, CacheFor);
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
