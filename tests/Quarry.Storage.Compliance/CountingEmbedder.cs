using Quarry.Embedding;

namespace Quarry.Storage.Compliance;

/// <summary>An embedder that counts what reaches it, so cache tests can tell a cache hit from a model call. Each
/// vector depends on the text and on the call number, so a vector served from the cache is told apart too.</summary>
public sealed class CountingEmbedder : IEmbedder
{
    public int Calls { get; private set; }

    public int EmbeddedTexts { get; private set; }

    public EmbeddingModel Model { get; } = new("fake:counting", 4);

    public Task<IReadOnlyList<ReadOnlyMemory<float>>> EmbedAsync(IReadOnlyList<string> texts, EmbeddingKind kind, CancellationToken cancellationToken)
    {
        Calls++;
        EmbeddedTexts += texts.Count;
        return Task.FromResult<IReadOnlyList<ReadOnlyMemory<float>>>(
            [.. texts.Select(t => (ReadOnlyMemory<float>)new float[] { t.Length, t[0], t[^1], Calls })]);
    }
}
