namespace Quarry.Retrieval.Fusion;

/// <summary>Shared steps of every fusion: order each list, drop repeated chunks, combine per chunk id.</summary>
internal static class RankedLists
{
    /// <summary>The list best-first (stable for equal scores) with each chunk kept at its best position only.</summary>
    public static List<ScoredChunk> Normalize(FusionList list)
    {
        ArgumentNullException.ThrowIfNull(list);
        ArgumentNullException.ThrowIfNull(list.Hits);
        if (!double.IsFinite(list.Weight) || list.Weight < 0)
            throw new ArgumentOutOfRangeException(nameof(list), $"The weight of list '{list.Name}' must be a finite non-negative number.");
        var seen = new HashSet<Documents.ChunkId>();
        var ordered = new List<ScoredChunk>(list.Hits.Count);
        foreach (var hit in list.Hits.OrderByDescending(h => h.Score))
        {
            if (seen.Add(hit.ChunkId)) ordered.Add(hit);
        }
        return ordered;
    }

    /// <summary>
    /// Sums per-list contributions by chunk id and orders the result: fused score, then best component rank, then
    /// chunk id (ordinal) so equal inputs always give the same order.
    /// </summary>
    public static IReadOnlyList<FusedHit> Combine(IReadOnlyList<FusionList> lists, Func<int, int, ScoredChunk, double> contribution, int? limit)
    {
        ArgumentNullException.ThrowIfNull(lists);
        if (limit is < 0) throw new ArgumentOutOfRangeException(nameof(limit));
        var ordered = lists.Select(Normalize).ToArray();
        var byChunk = new Dictionary<Documents.ChunkId, (Documents.DocumentId Document, ComponentScore?[] Components)>();
        for (var l = 0; l < ordered.Length; l++)
        {
            for (var i = 0; i < ordered[l].Count; i++)
            {
                var hit = ordered[l][i];
                if (!byChunk.TryGetValue(hit.ChunkId, out var entry))
                {
                    entry = (hit.DocumentId, new ComponentScore?[ordered.Length]);
                    byChunk[hit.ChunkId] = entry;
                }
                entry.Components[l] = new ComponentScore(lists[l].Name, i + 1, hit.Score, contribution(l, i, hit));
            }
        }
        var fused = byChunk.Select(kv =>
        {
            var components = new ComponentScore[ordered.Length];
            for (var l = 0; l < components.Length; l++) components[l] = kv.Value.Components[l] ?? new ComponentScore(lists[l].Name, null, null, 0);
            return new FusedHit(kv.Key, kv.Value.Document, components.Sum(c => c.Contribution), components);
        });
        var sorted = fused
            .OrderByDescending(h => h.Score)
            .ThenBy(h => h.Components.Min(c => c.Rank ?? int.MaxValue))
            .ThenBy(h => h.ChunkId.Value, StringComparer.Ordinal);
        return (limit is { } n ? sorted.Take(n) : sorted).ToArray();
    }
}
