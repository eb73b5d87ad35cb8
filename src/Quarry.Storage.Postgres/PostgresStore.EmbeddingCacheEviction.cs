using Quarry.Embedding;

namespace Quarry.Storage.Postgres;

internal sealed partial class PostgresStore : IEmbeddingCacheEviction
{
    public async Task<long> EvictEmbeddingCacheAsync(DateTimeOffset? olderThan, long maxRows, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var delete = connection.Command("""
            WITH aged AS (
                DELETE FROM embedding_cache WHERE @cutoff::timestamptz IS NOT NULL AND created_at < @cutoff::timestamptz RETURNING 1),
            surplus AS (
                DELETE FROM embedding_cache WHERE @max > 0 AND ctid IN (
                    SELECT ctid FROM embedding_cache ORDER BY created_at
                    LIMIT greatest(0, (SELECT count(*) FROM embedding_cache) - @max)) RETURNING 1)
            SELECT (SELECT count(*) FROM aged) + (SELECT count(*) FROM surplus);
            """).Arg("cutoff", olderThan).Arg("max", maxRows);
        return Convert.ToInt64(await delete.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }
}
