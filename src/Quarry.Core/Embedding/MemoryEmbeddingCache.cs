using Microsoft.Extensions.Caching.Memory;
using Quarry.Diagnostics;

namespace Quarry.Embedding;

/// <summary>
/// The embedding cache's in-memory layer: repeated questions (and re-ingested passages) get their vector without a
/// database round trip. Bounded by entry count; the stored cache behind it stays the source of truth.
/// </summary>
internal sealed class MemoryEmbeddingCache(IEmbeddingCache inner, int maxEntries) : IEmbeddingCache, IDisposable
{
    private readonly MemoryCache _memory = new(new MemoryCacheOptions { SizeLimit = Math.Max(1, maxEntries) });

    public async Task<IReadOnlyDictionary<string, ReadOnlyMemory<float>>> GetManyAsync(EmbeddingModel model, IReadOnlyCollection<string> textHashes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(textHashes);
        var found = new Dictionary<string, ReadOnlyMemory<float>>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var hash in textHashes)
        {
            if (_memory.TryGetValue(Key(model, hash), out ReadOnlyMemory<float> vector)) found[hash] = vector;
            else missing.Add(hash);
        }
        var layer = new KeyValuePair<string, object?>(AiMetrics.Tags.Layer, "embedding_memory");
        if (found.Count > 0) AiMetrics.CacheHits.Add(found.Count, layer);
        if (missing.Count == 0) return found;
        AiMetrics.CacheMisses.Add(missing.Count, layer);
        foreach (var (hash, vector) in await inner.GetManyAsync(model, missing, cancellationToken))
        {
            found[hash] = vector;
            Remember(model, hash, vector);
        }
        return found;
    }

    public async Task PutManyAsync(EmbeddingModel model, IReadOnlyCollection<KeyValuePair<string, ReadOnlyMemory<float>>> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(entries);
        await inner.PutManyAsync(model, entries, cancellationToken);
        foreach (var (hash, vector) in entries) Remember(model, hash, vector);
    }

    public void Dispose() => _memory.Dispose();

    private void Remember(EmbeddingModel model, string hash, ReadOnlyMemory<float> vector) =>
        _memory.Set(Key(model, hash), vector, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromHours(1) });

    private static string Key(EmbeddingModel model, string hash) => $"{model.Id}\u001f{model.Dimension}\u001f{hash}";
}
