using System.ComponentModel.DataAnnotations;

namespace Quarry.Retrieval;

public sealed class RetrievalOptions
{
    public const string SectionName = "Retrieval";

    /// <summary>Results returned when the request does not say.</summary>
    [Range(1, 200)]
    public int TopK { get; set; } = 10;

    /// <summary>Candidates taken from each search (keyword, vector) before fusion.</summary>
    [Range(10, 1000)]
    public int CandidatesPerSearch { get; set; } = 100;

    /// <summary>Weight of the character n-gram signal fused with keyword scores (0 turns it off). Scores are
    /// normalized before fusing (keyword by its top score, n-gram cosine min-max), as rank fusion drowns weak signals.</summary>
    [Range(0.0, 1.0)]
    public double CharNgramWeight { get; set; } = 0.3;

    /// <summary>Memory for the n-gram profiles of recently scored chunks (0 = no cache). A profile costs about 6 bytes
    /// per distinct gram, ~9–15 KB for a 512-token chunk.</summary>
    [Range(0, 65_536)]
    public int CharNgramCacheMegabytes { get; set; } = 128;

    /// <summary>How keyword and vector results are fused when both ran.</summary>
    public FusionMethod Fusion { get; set; } = FusionMethod.Scores;

    /// <summary>Reciprocal-rank fusion constant (<see cref="FusionMethod.ReciprocalRank"/> only).</summary>
    [Range(1, 1000)]
    public int RrfK { get; set; } = 60;

    /// <summary>Weight of the keyword side (BM25 with the n-gram signal) in hybrid fusion.</summary>
    [Range(0.0, 10.0)]
    public double KeywordWeight { get; set; } = 0.7;

    /// <summary>Weight of the dense side in hybrid fusion. The default comes from cross-validation across SciFact and
    /// two halves of squad-dev-a with all-MiniLM-L6-v2 (README, retrieval table).</summary>
    [Range(0.0, 10.0)]
    public double VectorWeight { get; set; } = 0.3;

    /// <summary>How long the query embedding may take before retrieval goes on keyword-only (and says so).</summary>
    public TimeSpan EmbeddingTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest query accepted, in characters; longer ones are refused with a clear error rather than
    /// turned into a slow scan.</summary>
    [Range(16, 100_000)]
    public int MaxQueryLength { get; set; } = 4000;
}

public enum FusionMethod
{
    /// <summary>Weighted sum of normalized scores (<see cref="Fusion.HybridScoreFusion"/>), the n-gram signal included.</summary>
    Scores,
    /// <summary>Weighted reciprocal ranks (k = <see cref="RetrievalOptions.RrfK"/>) of the keyword and vector lists.</summary>
    ReciprocalRank,
}
