namespace Messenger.Grains.Tokens;

/// <summary>An issued access token (known only by its hash).</summary>
internal sealed class TokenState
{
    public bool Exists { get; set; }

    public string UserId { get; set; } = "";

    public string DeviceId { get; set; } = "";

    public DateTimeOffset IssuedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public bool Revoked { get; set; }
}
