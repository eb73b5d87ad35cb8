namespace Quarry.Retrieval.Fusion;

/// <summary>
/// Weighted sum of per-list normalized scores; a list that lacks a chunk adds 0 for it. Each list is normalized over
/// the hits it returned (its top-k), so the fused score depends on how deep each list was retrieved.
/// </summary>
internal static class NormalizedScoreFusion
{
    public static IReadOnlyList<FusedHit> Fuse(IReadOnlyList<FusionList> lists, ScoreNormalization normalization, int? limit = null)
    {
        ArgumentNullException.ThrowIfNull(lists);
        var ranges = lists.Select(l => l.Hits.Count == 0
            ? (Min: 0.0, Max: 0.0)
            : (Min: l.Hits.Min(h => h.Score), Max: l.Hits.Max(h => h.Score))).ToArray();
        return RankedLists.Combine(lists, (list, _, hit) => lists[list].Weight * Normalize(hit.Score, ranges[list], normalization), limit);
    }

    internal static double Normalize(double score, (double Min, double Max) range, ScoreNormalization normalization) => normalization switch
    {
        // A list whose best score is not positive carries no usable scale: it contributes nothing.
        ScoreNormalization.DivideByMax => range.Max > 0 ? score / range.Max : 0,
        // All scores equal: every hit is as good as the best.
        ScoreNormalization.MinMax => range.Max > range.Min ? (score - range.Min) / (range.Max - range.Min) : 1,
        _ => throw new ArgumentOutOfRangeException(nameof(normalization)),
    };
}
