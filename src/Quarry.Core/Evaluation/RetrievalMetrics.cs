namespace Quarry.Evaluation;

/// <summary>Mean metrics over the judged queries of a run.</summary>
/// <param name="Queries">Queries averaged over: those with at least one judgement.</param>
/// <param name="ExcludedQueries">Queries of the run without any judgement, left out of every mean.</param>
public sealed record RetrievalScores(int K, double Ndcg, double Recall, double Mrr, int Queries, int ExcludedQueries);

/// <summary>
/// IR metrics as BEIR computes them with pytrec_eval (trec_eval): nDCG@k with the relevance grade as gain and a
/// log2(rank + 1) discount, the ideal DCG from the query's judged grades (retrieved or not); recall@k over the
/// judged-relevant set (grade &gt; 0); MRR@k, BEIR's reciprocal rank of the first relevant document in the top k.
/// Documents without a judgement, and grade 0 or below, gain nothing. A ranking is used in the order given, first
/// occurrence of a repeated id only (trec_eval would re-sort by score; give it sorted).
/// </summary>
public static class RetrievalMetrics
{
    public static double NdcgAtK(IReadOnlyList<string> ranking, IReadOnlyDictionary<string, int> judgements, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var dcg = 0.0;
        var rank = 0;
        foreach (var id in Distinct(ranking))
        {
            if (++rank > k) break;
            if (judgements.TryGetValue(id, out var grade) && grade > 0) dcg += grade / Math.Log2(rank + 1);
        }
        var ideal = judgements.Values.Where(g => g > 0).OrderByDescending(g => g).Take(k)
            .Select((grade, i) => grade / Math.Log2(i + 2)).Sum();
        return ideal > 0 ? dcg / ideal : 0;
    }

    public static double RecallAtK(IReadOnlyList<string> ranking, IReadOnlyDictionary<string, int> judgements, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var relevant = judgements.Count(j => j.Value > 0);
        if (relevant == 0) return 0;
        var found = Distinct(ranking).Take(k).Count(id => judgements.TryGetValue(id, out var grade) && grade > 0);
        return found / (double)relevant;
    }

    public static double MrrAtK(IReadOnlyList<string> ranking, IReadOnlyDictionary<string, int> judgements, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var rank = 0;
        foreach (var id in Distinct(ranking))
        {
            if (++rank > k) break;
            if (judgements.TryGetValue(id, out var grade) && grade > 0) return 1.0 / rank;
        }
        return 0;
    }

    /// <summary>
    /// Means over every query of <paramref name="run"/> that has at least one judgement. A judged query the run has
    /// no ranking for scores 0 rather than being skipped (pytrec_eval would skip it): retrieving nothing is a failure.
    /// </summary>
    /// <param name="run">Query id → document ids, best first.</param>
    public static RetrievalScores Evaluate(
        IReadOnlyDictionary<string, IReadOnlyList<string>> run,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> qrels,
        int k)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(qrels);
        double ndcg = 0, recall = 0, mrr = 0;
        var judged = 0;
        foreach (var (query, judgements) in qrels)
        {
            if (judgements.Count == 0) continue;
            var ranking = run.TryGetValue(query, out var r) ? r : [];
            ndcg += NdcgAtK(ranking, judgements, k);
            recall += RecallAtK(ranking, judgements, k);
            mrr += MrrAtK(ranking, judgements, k);
            judged++;
        }
        var excluded = run.Keys.Count(q => !qrels.TryGetValue(q, out var j) || j.Count == 0);
        return judged == 0
            ? new RetrievalScores(k, 0, 0, 0, 0, excluded)
            : new RetrievalScores(k, ndcg / judged, recall / judged, mrr / judged, judged, excluded);
    }

    private static IEnumerable<string> Distinct(IReadOnlyList<string> ranking)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in ranking)
        {
            if (seen.Add(id)) yield return id;
        }
    }
}
