namespace Quarry.Embedding;

/// <summary>
/// Turns texts into vectors. One method, batch in and vectors out; caching, retries, logging and telemetry are
/// decorators around it. Implementations: OpenAI-compatible endpoints (OpenAI, Azure OpenAI, Ollama, vLLM, TEI) and
/// local models.
/// </summary>
public interface IEmbedder
{
    /// <summary>Identifies the vector space: vectors of different models (or dimensions) are never compared.</summary>
    EmbeddingModel Model { get; }

    /// <returns>One vector of <see cref="EmbeddingModel.Dimension"/> floats per input, in input order.</returns>
    /// <exception cref="EmbeddingException">The provider failed or answered something unusable.</exception>
    Task<IReadOnlyList<ReadOnlyMemory<float>>> EmbedAsync(IReadOnlyList<string> texts, EmbeddingKind kind, CancellationToken cancellationToken);
}

/// <param name="Id">Provider-qualified model id, e.g. "openai:text-embedding-3-small".</param>
public sealed record EmbeddingModel(string Id, int Dimension);

/// <summary>Some models embed queries and passages differently (e5's "query: "/"passage: " prefixes).</summary>
public enum EmbeddingKind
{
    Document,
    Query,
}

/// <summary>An embedding provider failed; <see cref="IsTransient"/> says whether retrying later may succeed.</summary>
public sealed class EmbeddingException(string message, bool isTransient, Exception? inner = null) : Exception(message, inner)
{
    public bool IsTransient { get; } = isTransient;
}
