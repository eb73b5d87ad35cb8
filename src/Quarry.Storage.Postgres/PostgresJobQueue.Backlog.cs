using Npgsql;
using Quarry.Ingestion;

namespace Quarry.Storage.Postgres;

internal sealed partial class PostgresJobQueue : IJobBacklog
{
    public async Task<JobBacklog> GetBacklogAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        // The partial claim index covers exactly these rows, so this stays cheap however long the job history grows.
        await using var command = new NpgsqlCommand("""
            SELECT count(*) FILTER (WHERE status = 'queued'), count(*) FILTER (WHERE status = 'running')
            FROM ingestion_jobs WHERE status IN ('queued', 'running');
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new JobBacklog(reader.GetInt64(0), reader.GetInt64(1));
    }
}
