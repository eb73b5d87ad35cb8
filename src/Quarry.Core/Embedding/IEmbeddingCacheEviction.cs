namespace Quarry.Embedding;

/// <summary>Bounds the stored embedding cache (implemented by the stores beside <see cref="IEmbeddingCache"/>).</summary>
public interface IEmbeddingCacheEviction
{
    /// <summary>Deletes rows created before <paramref name="olderThan"/> (when given), then the oldest rows beyond
    /// <paramref name="maxRows"/> (when positive). Returns the rows deleted.</summary>
    Task<long> EvictEmbeddingCacheAsync(DateTimeOffset? olderThan, long maxRows, CancellationToken cancellationToken);
}
