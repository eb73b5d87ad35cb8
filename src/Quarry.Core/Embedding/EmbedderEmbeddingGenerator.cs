using Microsoft.Extensions.AI;

namespace Quarry.Embedding;

/// <summary>
/// Quarry's configured embedder (a built-in model, a local one or an OpenAI-compatible endpoint, behind Quarry's
/// embedding cache) as a Microsoft.Extensions.AI <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> for app code,
/// so vectors an app computes share Quarry's vector space. Texts are embedded as documents unless
/// <see cref="EmbeddingGenerationOptions.AdditionalProperties"/> has <c>quarry.kind</c> = <c>query</c>, which applies
/// the model's query prefix (e.g. Arctic's "Represent this sentence for searching relevant passages: ").
/// </summary>
internal sealed class EmbedderEmbeddingGenerator(IEmbedder embedder) : IEmbeddingGenerator<string, Embedding<float>>
{
    public const string KindProperty = "quarry.kind";

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var kind = options?.AdditionalProperties?.TryGetValue(KindProperty, out var value) == true
            && string.Equals(value as string, "query", StringComparison.OrdinalIgnoreCase) ? EmbeddingKind.Query : EmbeddingKind.Document;
        var texts = values as IReadOnlyList<string> ?? [.. values];
        var vectors = await embedder.EmbedAsync(texts, kind, cancellationToken);
        var model = embedder.Model;
        return new GeneratedEmbeddings<Embedding<float>>(vectors.Select(v => new Embedding<float>(v) { ModelId = model.Id }));
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(EmbeddingGeneratorMetadata)
            ? new EmbeddingGeneratorMetadata("quarry", defaultModelId: embedder.Model.Id, defaultModelDimensions: embedder.Model.Dimension)
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }
}

public static class EmbedderExtensions
{
    /// <summary>The embedder as a Microsoft.Extensions.AI embedding generator (documents by default; set
    /// <c>AdditionalProperties["quarry.kind"] = "query"</c> for queries).</summary>
    public static IEmbeddingGenerator<string, Embedding<float>> AsEmbeddingGenerator(this IEmbedder embedder)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        return new EmbedderEmbeddingGenerator(embedder);
    }
}
