namespace Messenger.ClientApi.Sessions;

/// <summary>
/// This process's instance id: the key of its push stream and what user grains record as the
/// holder of its sessions. A random suffix keeps a restarted instance from inheriting the
/// stream subscription of its previous life.
/// </summary>
public sealed class ClientApiIdentity(IConfiguration configuration)
{
    public string InstanceId { get; } = $"{configuration["Messenger:ClientApi:InstanceId"] ?? "clientapi"}-{Guid.NewGuid().ToString("N")[..8]}";
}
