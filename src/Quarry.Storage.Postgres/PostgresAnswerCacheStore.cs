using Quarry.Caching;

namespace Quarry.Storage.Postgres;

/// <summary>The answer cache's shared layer in the store's own database, for deployments without Redis.</summary>
internal sealed class PostgresAnswerCacheStore(PostgresDatabase database, TimeProvider time) : IAnswerCacheStore
{
    private long _writes;

    public string Name => "postgres";

    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT value FROM answer_cache WHERE key = @key AND expires_at > @now;")
            .Arg("key", key).Arg("now", time.GetUtcNow());
        return await command.ExecuteScalarAsync(cancellationToken) as byte[];
    }

    public async Task SetAsync(string key, byte[] value, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken);
        // Expired rows are never read; one write in a hundred clears them so the table stays bounded by the TTL.
        var prune = Interlocked.Increment(ref _writes) % 100 == 0 ? "DELETE FROM answer_cache WHERE expires_at <= @now; " : "";
        await using var command = connection.Command(prune + """
            INSERT INTO answer_cache (key, value, expires_at) VALUES (@key, @value, @expires)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at;
            """).Arg("key", key).Arg("value", value).Arg("expires", now + timeToLive).Arg("now", now);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
