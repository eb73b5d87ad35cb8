using Quarry.Embedding;

namespace Quarry.Storage.Sqlite;

internal sealed partial class SqliteStore : IEmbeddingCacheEviction
{
    public Task<long> EvictEmbeddingCacheAsync(DateTimeOffset? olderThan, long maxRows, CancellationToken cancellationToken) =>
        _database.WriteAsync(async (connection, ct) =>
        {
            await using var delete = connection.Command("""
                DELETE FROM embedding_cache WHERE $cutoff IS NOT NULL AND created_at < $cutoff;
                DELETE FROM embedding_cache WHERE $max > 0 AND rowid IN (
                    SELECT rowid FROM embedding_cache ORDER BY created_at, rowid
                    LIMIT max(0, (SELECT count(*) FROM embedding_cache) - $max));
                """).With("$cutoff", olderThan is { } cutoff ? UnixTime.ToMs(cutoff) : null).With("$max", maxRows);
            return (long)await delete.ExecuteNonQueryAsync(ct);
        }, cancellationToken);
}
