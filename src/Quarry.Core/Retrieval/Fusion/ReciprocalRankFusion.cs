namespace Quarry.Retrieval.Fusion;

/// <summary>
/// Reciprocal-rank fusion (Cormack et al. 2009): score = Σ weight / (k + rank), rank 1-based per list. Uses ranks
/// only, so BM25 and cosine scores need no calibration against each other.
/// </summary>
public static class ReciprocalRankFusion
{
    public const int DefaultK = 60;

    public static IReadOnlyList<FusedHit> Fuse(IReadOnlyList<FusionList> lists, int k = DefaultK, int? limit = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentNullException.ThrowIfNull(lists);
        return RankedLists.Combine(lists, (list, index, _) => lists[list].Weight / (k + index + 1), limit);
    }
}
