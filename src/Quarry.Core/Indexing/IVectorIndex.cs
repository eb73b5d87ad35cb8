using Quarry.Documents;
using Quarry.Retrieval;

namespace Quarry.Indexing;

/// <summary>
/// Nearest-neighbour search over chunk embeddings of one embedding model. Exact and approximate (HNSW, pgvector)
/// implementations sit behind this interface; the filter is applied to candidates before scoring.
/// </summary>
public interface IVectorIndex
{
    Task<IReadOnlyList<VectorHit>> SearchAsync(VectorSearchRequest request, CancellationToken cancellationToken);
}

/// <param name="Model">The embedding model id the query vector came from; vectors of other models are never compared.</param>
public sealed record VectorSearchRequest(ReadOnlyMemory<float> Query, string Model, SearchFilter Filter, int Limit);

/// <param name="Score">Cosine similarity.</param>
public sealed record VectorHit(ChunkId ChunkId, DocumentId DocumentId, double Score);
