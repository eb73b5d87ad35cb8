using System.Globalization;

namespace Quarry.Storage;

/// <summary>The vectors a <see cref="DocumentWrite"/> carries, checked once for every store before its transaction.</summary>
public static class DocumentWriteEmbeddings
{
    /// <summary>The write's "#ordinal"-keyed vectors by chunk ordinal (null for a chunk without one), or null when the
    /// write carries none.</summary>
    /// <exception cref="ArgumentException">A key is not an ordinal of the write's chunks, or a vector has another dimension.</exception>
    public static ReadOnlyMemory<float>?[]? ByOrdinal(DocumentWrite write)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (write.Embeddings is not { } embeddings)
            return null;
        ArgumentException.ThrowIfNullOrWhiteSpace(embeddings.Model, "write.Embeddings.Model");
        if (embeddings.Dimension <= 0)
            throw new ArgumentException("Embedding dimension must be positive.", nameof(write));
        var byOrdinal = new ReadOnlyMemory<float>?[write.Chunks.Count];
        foreach (var (key, vector) in embeddings.Vectors)
        {
            var text = key.Value;
            if (text.Length < 2 || text[0] != '#' ||
                !int.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal) ||
                ordinal >= write.Chunks.Count)
            {
                throw new ArgumentException($"Embedding key '{text}' must be a chunk ordinal '#0'..'#{write.Chunks.Count - 1}'.", nameof(write));
            }
            if (vector.Length != embeddings.Dimension)
                throw new ArgumentException($"Embedding '{text}' has {vector.Length} dimensions, expected {embeddings.Dimension}.", nameof(write));
            byOrdinal[ordinal] = vector;
        }
        return byOrdinal;
    }
}
