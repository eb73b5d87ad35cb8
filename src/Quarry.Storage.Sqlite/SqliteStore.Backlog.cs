using Quarry.Ingestion;

namespace Quarry.Storage.Sqlite;

internal sealed partial class SqliteStore : IJobBacklog
{
    public async Task<JobBacklog> GetBacklogAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT coalesce(sum(status = 'queued'), 0), coalesce(sum(status = 'running'), 0)
            FROM ingestion_jobs WHERE status IN ('queued', 'running');
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new JobBacklog(reader.GetInt64(0), reader.GetInt64(1));
    }
}
