using Messenger.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace Messenger.Grains.Accounts;

/// <summary>
/// The username index entry, keyed by the lower-cased name. The hash arrives already computed
/// (the ClientApi does the deliberately slow hashing, so it never occupies a silo's scheduler).
/// </summary>
internal sealed partial class AccountGrain(
    [PersistentState("account", StorageNames.Messenger)] IPersistentState<AccountState> state,
    TimeProvider time,
    ILogger<AccountGrain> logger) : Grain, IAccountGrain
{
    public async Task<UserProfile> Register(string username, string passwordHash, string? displayName)
    {
        if (!string.Equals(username, this.GetPrimaryKeyString(), StringComparison.OrdinalIgnoreCase))
        {
            throw MessengerException.Invalid("The username does not match this account.");
        }

        if (state.State.Exists)
        {
            throw new MessengerException(ErrorCodes.UsernameTaken, "That username is taken.");
        }

        var userId = Guid.CreateVersion7().ToString("N");
        var profile = await GrainFactory.GetGrain<IUserGrain>(userId).Initialize(username, displayName ?? username);
        state.State = new AccountState
        {
            Exists = true,
            UserId = userId,
            Username = username,
            PasswordHash = passwordHash,
            CreatedAt = time.GetUtcNow(),
        };
        await state.WriteStateAsync();
        LogRegistered(userId);
        return profile;
    }

    public Task<AccountCredentials?> GetCredentials() => Task.FromResult(state.State.Exists
        ? new AccountCredentials(state.State.UserId, state.State.Username, state.State.PasswordHash)
        : null);

    public Task<string?> GetUserId() => Task.FromResult(state.State.Exists ? state.State.UserId : null);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account registered for user {UserId}")]
    private partial void LogRegistered(string userId);
}
