using System.ComponentModel.DataAnnotations;

namespace Quarry.Reranking;

/// <summary>The rerank stage: how many of retrieval's top candidates a cross-encoder re-scores, and how long it may take.</summary>
public sealed class RerankingOptions
{
    public const string SectionName = "Reranking";

    /// <summary>Top candidates of retrieval that are re-scored; the rest keep their order below them.</summary>
    [Range(2, 1000)]
    public int Candidates { get; set; } = 20;

    /// <summary>Longest a rerank may take. When the reranker's recent speed says a query would exceed it, reranking
    /// is skipped up front; when a rerank runs over, it is abandoned. Either way the retrieval order stands and the
    /// result says <c>degraded</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan TimeBudget { get; set; } = TimeSpan.FromSeconds(2);
}
