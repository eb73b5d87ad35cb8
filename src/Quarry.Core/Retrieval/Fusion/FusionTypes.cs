using Quarry.Documents;

namespace Quarry.Retrieval.Fusion;

/// <summary>One hit of one result list to fuse; higher scores are better.</summary>
public readonly record struct ScoredChunk(ChunkId ChunkId, DocumentId DocumentId, double Score);

/// <summary>A named result list (e.g. "bm25", "vector") with its weight in the fusion.</summary>
public sealed record FusionList(string Name, IReadOnlyList<ScoredChunk> Hits, double Weight = 1.0);

/// <summary>How one list saw a fused hit: its 1-based rank and raw score there (null when the list lacks it) and
/// what it added to the fused score.</summary>
public sealed record ComponentScore(string List, int? Rank, double? Score, double Contribution);

public sealed record FusedHit(ChunkId ChunkId, DocumentId DocumentId, double Score, IReadOnlyList<ComponentScore> Components);

public enum ScoreNormalization
{
    /// <summary>Divide by the list's top score (scores assumed non-negative, e.g. BM25).</summary>
    DivideByMax,
    /// <summary>(score − min) / (max − min) over the list as given (its top-k).</summary>
    MinMax,
}
