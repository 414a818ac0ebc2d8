using Messenger.Grains.Storage;

namespace Messenger.Grains.Tokens;

/// <summary>
/// One access token, keyed by its SHA-256. Revocation is a state change here, so every
/// ClientApi that asks afterwards is told no.
/// </summary>
internal sealed class TokenGrain(
    [PersistentState("token", StorageNames.Messenger)] IPersistentState<TokenState> state,
    TimeProvider time) : Grain, ITokenGrain
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

    public async Task Issue(TokenGrant grant)
    {
        if (state.State.Exists)
        {
            throw new MessengerException(ErrorCodes.Conflict, "Token already issued.");
        }

        var now = time.GetUtcNow();
        state.State = new TokenState
        {
            Exists = true,
            UserId = grant.UserId,
            DeviceId = grant.DeviceId,
            IssuedAt = now,
            ExpiresAt = now + Lifetime,
        };
        await state.WriteStateAsync();
    }

    public Task<TokenGrant?> Validate() => Task.FromResult(
        state.State is { Exists: true, Revoked: false } s && s.ExpiresAt > time.GetUtcNow()
            ? new TokenGrant(s.UserId, s.DeviceId)
            : null);

    public async Task<TokenGrant?> Revoke()
    {
        if (state.State is not { Exists: true, Revoked: false } s)
        {
            return null;
        }

        s.Revoked = true;
        await state.WriteStateAsync();
        var grant = new TokenGrant(s.UserId, s.DeviceId);
        await GrainFactory.GetGrain<IUserGrain>(s.UserId).CloseDevice(s.DeviceId);
        return grant;
    }
}
