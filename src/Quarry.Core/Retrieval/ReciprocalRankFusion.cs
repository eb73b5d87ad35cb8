using Quarry.Documents;

namespace Quarry.Retrieval;

/// <summary>
/// Reciprocal-rank fusion: score = Σ weight / (k + rank) over the lists a chunk appears in. Rank-based, so lists with
/// incomparable scores (BM25, cosine) fuse without calibration; k dampens the advantage of the very top ranks.
/// </summary>
internal static class ReciprocalRankFusion
{
    public static IReadOnlyList<(ChunkId ChunkId, double Score)> Fuse(int k, params (IReadOnlyList<ChunkId> Ranking, double Weight)[] lists)
    {
        var scores = new Dictionary<ChunkId, double>();
        var firstSeen = new Dictionary<ChunkId, int>();
        var order = 0;
        foreach (var (ranking, weight) in lists)
        {
            var seen = new HashSet<ChunkId>();
            for (var i = 0; i < ranking.Count; i++)
            {
                // A list that repeats a chunk counts it once, at its best rank.
                if (!seen.Add(ranking[i])) continue;
                scores[ranking[i]] = scores.GetValueOrDefault(ranking[i]) + weight / (k + i + 1);
                firstSeen.TryAdd(ranking[i], order++);
            }
        }
        return scores.OrderByDescending(p => p.Value).ThenBy(p => firstSeen[p.Key]).Select(p => (p.Key, p.Value)).ToList();
    }
}
