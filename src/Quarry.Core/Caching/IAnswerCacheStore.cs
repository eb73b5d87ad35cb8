namespace Quarry.Caching;

/// <summary>The shared (L2) layer: opaque bytes by key, with a time to live. Adapters: Redis, PostgreSQL.</summary>
public interface IAnswerCacheStore
{
    /// <summary>For logs and the <c>layer</c> tag's documentation, e.g. "redis".</summary>
    string Name { get; }

    Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken);

    Task SetAsync(string key, byte[] value, TimeSpan timeToLive, CancellationToken cancellationToken);
}
