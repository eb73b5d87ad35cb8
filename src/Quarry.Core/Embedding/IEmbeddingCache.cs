namespace Quarry.Embedding;

/// <summary>
/// Vectors already computed, keyed by (model id, dimension, text hash). The hash is
/// <see cref="EmbeddingTextHash.Compute"/> of the text and its <see cref="EmbeddingKind"/>; the cache never sees text.
/// </summary>
public interface IEmbeddingCache
{
    /// <returns>The vectors found, keyed by text hash; hashes not cached are absent.</returns>
    Task<IReadOnlyDictionary<string, ReadOnlyMemory<float>>> GetManyAsync(EmbeddingModel model, IReadOnlyCollection<string> textHashes, CancellationToken cancellationToken);

    /// <summary>Stores (or replaces) vectors of <see cref="EmbeddingModel.Dimension"/> floats keyed by text hash.</summary>
    Task PutManyAsync(EmbeddingModel model, IReadOnlyCollection<KeyValuePair<string, ReadOnlyMemory<float>>> entries, CancellationToken cancellationToken);
}
