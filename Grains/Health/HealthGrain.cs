using Npgsql;

namespace Messenger.Grains.Health;

/// <summary>Stateless worker: any silo answers, so readiness never waits on one activation.</summary>
[Orleans.Concurrency.StatelessWorker]
internal sealed class HealthGrain(NpgsqlDataSource db) : Grain, IHealthGrain
{
    public async Task CheckDatabase()
    {
        try
        {
            await using var cmd = db.CreateCommand("SELECT 1");
            await cmd.ExecuteScalarAsync();
        }
        catch (NpgsqlException ex)
        {
            throw new MessengerException(ErrorCodes.Unavailable, $"The database is unreachable ({ex.GetType().Name}).");
        }
    }
}
