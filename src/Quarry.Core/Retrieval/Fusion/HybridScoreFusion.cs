namespace Quarry.Retrieval.Fusion;

/// <summary>What each signal said about one candidate chunk before fusion: its keyword (BM25) score, its character
/// n-gram cosine and its vector cosine, each null when that signal did not score it.</summary>
public sealed record HybridCandidate(
    Documents.ChunkId ChunkId,
    double? KeywordScore,
    int? KeywordRank,
    double? CharCosine,
    double? VectorScore,
    int? VectorRank);

/// <param name="Keyword">Weight of the keyword side (BM25 with the character n-gram signal folded in).</param>
/// <param name="Vector">Weight of the dense side.</param>
/// <param name="CharNgram">Share of the character n-gram signal within the keyword side (0 = BM25 alone).</param>
public readonly record struct HybridWeights(double Keyword, double Vector, double CharNgram);

/// <summary>
/// Normalized-score fusion of the three signals: BM25 divided by its top score, the n-gram and vector cosines min-max
/// scaled over the candidates that have them, then
/// <c>Keyword · ((1 − CharNgram) · bm25 + CharNgram · ngram) + Vector · dense</c>. A signal that did not score a
/// candidate adds 0 for it. Unlike reciprocal ranks, the size of a score gap survives: a weak dense signal nudges a
/// confident keyword ranking instead of overturning it, which is why this fusion does not fall below its better input.
/// </summary>
public static class HybridScoreFusion
{
    /// <returns>The fused score of each candidate, in candidate order.</returns>
    public static double[] Score(IReadOnlyList<HybridCandidate> candidates, HybridWeights weights)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        Validate(weights);
        var keywordTop = candidates.Count == 0 ? 0 : candidates.Max(c => c.KeywordScore ?? 0.0);
        var chars = Range(candidates, c => c.CharCosine);
        var vectors = Range(candidates, c => c.VectorScore);
        var scores = new double[candidates.Count];
        for (var i = 0; i < scores.Length; i++)
        {
            var c = candidates[i];
            var keyword = c.KeywordScore is { } k && keywordTop > 0 ? k / keywordTop : 0;
            var keywordSide = (1 - weights.CharNgram) * keyword + weights.CharNgram * MinMax(c.CharCosine, chars);
            scores[i] = weights.Keyword * keywordSide + weights.Vector * MinMax(c.VectorScore, vectors);
        }
        return scores;
    }

    /// <summary>Candidates best-first by <see cref="Score"/>; ties go to the better keyword rank, then vector rank,
    /// then chunk id, so equal inputs always give the same order.</summary>
    public static IReadOnlyList<(HybridCandidate Candidate, double Score)> Rank(IReadOnlyList<HybridCandidate> candidates, HybridWeights weights)
    {
        var scores = Score(candidates, weights);
        return candidates.Select((c, i) => (Candidate: c, Score: scores[i]))
            .OrderByDescending(x => x.Score)
            .ThenBy(x => x.Candidate.KeywordRank ?? int.MaxValue)
            .ThenBy(x => x.Candidate.VectorRank ?? int.MaxValue)
            .ThenBy(x => x.Candidate.ChunkId.Value, StringComparer.Ordinal)
            .ToList();
    }

    private static void Validate(HybridWeights weights)
    {
        if (!double.IsFinite(weights.Keyword) || weights.Keyword < 0 || !double.IsFinite(weights.Vector) || weights.Vector < 0)
            throw new ArgumentOutOfRangeException(nameof(weights), "Fusion weights must be finite and non-negative.");
        if (weights.CharNgram is < 0 or > 1 || double.IsNaN(weights.CharNgram))
            throw new ArgumentOutOfRangeException(nameof(weights), "The character n-gram share must be between 0 and 1.");
    }

    private static (double Min, double Max)? Range(IReadOnlyList<HybridCandidate> candidates, Func<HybridCandidate, double?> signal)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var c in candidates)
        {
            if (signal(c) is not { } s) continue;
            min = Math.Min(min, s);
            max = Math.Max(max, s);
        }
        return min <= max ? (min, max) : null;
    }

    // Missing: 0. All equal (e.g. a single vector hit): each is as good as the best, unless none is similar at all.
    private static double MinMax(double? value, (double Min, double Max)? range) => value is { } v && range is { } r
        ? r.Max > r.Min ? (v - r.Min) / (r.Max - r.Min) : r.Max > 0 ? 1 : 0
        : 0;
}
