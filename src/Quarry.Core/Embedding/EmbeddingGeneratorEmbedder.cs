using Microsoft.Extensions.AI;

namespace Quarry.Embedding;

/// <summary>
/// A Microsoft.Extensions.AI <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> as Quarry's embedder, so any MEAI
/// embedding provider (or an app's own) fills the vector index; Quarry's cache and telemetry decorate it as usual.
/// Queries and documents are embedded alike unless the prefixes say otherwise.
/// </summary>
internal sealed class EmbeddingGeneratorEmbedder(IEmbeddingGenerator<string, Embedding<float>> generator, EmbeddingModel model,
    string queryPrefix, string documentPrefix) : IEmbedder
{
    public EmbeddingModel Model => model;

    public async Task<IReadOnlyList<ReadOnlyMemory<float>>> EmbedAsync(IReadOnlyList<string> texts, EmbeddingKind kind, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var prefix = kind == EmbeddingKind.Query ? queryPrefix : documentPrefix;
        GeneratedEmbeddings<Embedding<float>> embeddings;
        try
        {
            embeddings = await generator.GenerateAsync(prefix.Length == 0 ? texts : [.. texts.Select(t => prefix + t)], cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new EmbeddingException($"The embedding generator failed: {e.Message}", e is HttpRequestException or TimeoutException or IOException, e);
        }
        if (embeddings.Count != texts.Count)
            throw new EmbeddingException($"The embedding generator returned {embeddings.Count} vectors for {texts.Count} texts.", isTransient: false);
        var vectors = new ReadOnlyMemory<float>[texts.Count];
        for (var i = 0; i < vectors.Length; i++)
        {
            vectors[i] = embeddings[i].Vector;
            if (vectors[i].Length != model.Dimension)
                throw new EmbeddingException($"The embedding generator returned {vectors[i].Length} dimensions; {model.Id} is configured with {model.Dimension}.", isTransient: false);
        }
        return vectors;
    }
}
