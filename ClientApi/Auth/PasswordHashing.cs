using Messenger.Grains.Interfaces.Models;
using Microsoft.AspNetCore.Identity;

namespace Messenger.ClientApi.Auth;

/// <summary>
/// Identity's <see cref="PasswordHasher{TUser}"/> (PBKDF2-HMAC-SHA512, salted, iterations from
/// <see cref="PasswordHasherOptions"/>). Hashing happens here, in the stateless and scalable
/// ClientApi, so the deliberately slow work never runs on a silo's grain scheduler.
/// </summary>
public sealed class PasswordHashing(IPasswordHasher<AccountCredentials> hasher)
{
    // Checked when the account does not exist, so an unknown user costs as much as a wrong password.
    private readonly Lazy<string> _decoyHash = new(() => hasher.HashPassword(Decoy, "not-a-real-password"));

    private static readonly AccountCredentials Decoy = new("", "", "");

    public string Hash(string password) => hasher.HashPassword(Decoy, password);

    public bool Verify(AccountCredentials? account, string password)
    {
        if (account is null)
        {
            hasher.VerifyHashedPassword(Decoy, _decoyHash.Value, password);
            return false;
        }

        return hasher.VerifyHashedPassword(account, account.PasswordHash, password) != PasswordVerificationResult.Failed;
    }
}
