namespace Messenger.Grains.Interfaces;

/// <summary>A stateless probe: answers when a silo is reachable and can reach PostgreSQL.</summary>
[Alias("messenger.IHealthGrain")]
public interface IHealthGrain : IGrainWithIntegerKey
{
    /// <summary>Runs a trivial query; throws when the database cannot be reached.</summary>
    [Alias("CheckDatabase")]
    Task CheckDatabase();
}
