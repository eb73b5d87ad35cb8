using Quarry.Documents;

namespace Quarry.Retrieval;

/// <param name="Mode">"keyword" or "hybrid".</param>
/// <param name="Degraded">Why retrieval ran on fewer signals than configured (e.g. no embedder), or null.</param>
public sealed record RetrievalResult(IReadOnlyList<RetrievedChunk> Chunks, string Mode, string? Degraded);

/// <summary>A retrieved chunk with the ranks and scores each search gave it (null when that search did not find it),
/// and the reranker's score when the rerank stage ordered it (<see cref="Score"/> stays the fused retrieval score).</summary>
public sealed record RetrievedChunk(
    Chunk Chunk,
    double Score,
    int? KeywordRank,
    double? KeywordScore,
    int? VectorRank = null,
    double? VectorScore = null,
    double? RerankScore = null);

/// <summary>The query cannot be run as given (empty, too long); the message says why.</summary>
public sealed class InvalidQueryException(string message) : Exception(message);
