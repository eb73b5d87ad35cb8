using Npgsql;
using Quarry.Tenancy;

namespace Quarry.Storage.Postgres;

/// <summary>
/// Shared token buckets as rows: one statement refills and takes under the row lock, so concurrent replicas never
/// both spend the same token. Time is the database's clock, the only one every replica agrees on.
/// </summary>
internal sealed class PostgresTokenBuckets(PostgresDatabase database) : ISharedTokenBuckets
{
    public string Name => "PostgreSQL";

    public async Task<int> TakeAsync(string partition, int wanted, double perSecond, int burst, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(partition);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(wanted);
        await using var connection = await database.OpenAsync(cancellationToken);
        // The insert makes a new bucket full; the update then refills by the time since its last use (never negative:
        // a transaction that started before another's refresh must not add time twice) and takes what it can.
        await using var command = new NpgsqlCommand("""
            INSERT INTO rate_limit_buckets (partition, tokens, refreshed_at) VALUES (@partition, @burst, now())
            ON CONFLICT (partition) DO NOTHING;
            WITH bucket AS (
                SELECT least(@burst, tokens + @rate * greatest(0, extract(epoch FROM now() - refreshed_at))) AS available, refreshed_at
                FROM rate_limit_buckets WHERE partition = @partition FOR UPDATE)
            UPDATE rate_limit_buckets AS b
            SET tokens = bucket.available - least(@wanted, floor(bucket.available)),
                refreshed_at = greatest(bucket.refreshed_at, now())
            FROM bucket WHERE b.partition = @partition
            RETURNING least(@wanted, floor(bucket.available))::integer;
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<string>("partition", partition));
        command.Parameters.Add(new NpgsqlParameter<double>("burst", burst));
        command.Parameters.Add(new NpgsqlParameter<double>("rate", perSecond));
        command.Parameters.Add(new NpgsqlParameter<double>("wanted", wanted));
        var taken = await command.ExecuteScalarAsync(cancellationToken);
        return taken is int granted ? Math.Max(0, granted) : 0;
    }
}
