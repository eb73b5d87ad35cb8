using StackExchange.Redis;

namespace Quarry.Caching.Redis;

/// <summary>
/// Entries as Redis strings with a TTL. The connection is made on first use and never stops start-up: Redis down
/// at boot is the same as Redis down later (the answer cache's guard skips the layer until it answers).
/// </summary>
internal sealed class RedisAnswerCacheStore(RedisCacheOptions options) : IAnswerCacheStore, IAsyncDisposable
{
    private readonly Lazy<Task<ConnectionMultiplexer>> _connection = new(() => ConnectAsync(options.Configuration));

    public string Name => "redis";

    /// <summary>Starts connecting (at start-up), so the first requests do not spend their short L2 budget on it.</summary>
    public void Connect() => _ = _connection.Value;

    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var db = (await _connection.Value.WaitAsync(cancellationToken)).GetDatabase();
        var value = await db.StringGetAsync(options.KeyPrefix + key).WaitAsync(cancellationToken);
        return value.IsNull ? null : (byte[]?)value;
    }

    public async Task SetAsync(string key, byte[] value, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        var db = (await _connection.Value.WaitAsync(cancellationToken)).GetDatabase();
        await db.StringSetAsync(options.KeyPrefix + key, value, timeToLive).WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection.IsValueCreated && _connection.Value.IsCompletedSuccessfully)
            await (await _connection.Value).DisposeAsync();
    }

    private static Task<ConnectionMultiplexer> ConnectAsync(string configuration)
    {
        var config = ConfigurationOptions.Parse(configuration);
        // Keep reconnecting in the background instead of failing: the cache is optional, answers are not.
        config.AbortOnConnectFail = false;
        config.ConnectTimeout = Math.Min(config.ConnectTimeout, 2000);
        config.ConnectRetry = 1;
        return ConnectionMultiplexer.ConnectAsync(config);
    }
}
