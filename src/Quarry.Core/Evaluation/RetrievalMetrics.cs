namespace Quarry.Evaluation;

/// <summary>
/// Ranking metrics as BEIR computes them with pytrec_eval: graded gains, log2 discount, the ideal ranking built from
/// all judged documents, recall over documents with relevance &gt; 0.
/// </summary>
public static class RetrievalMetrics
{
    /// <summary>nDCG@k: DCG of the ranking over the DCG of the judged documents sorted by grade.</summary>
    public static double Ndcg(IReadOnlyList<string> ranking, IReadOnlyDictionary<string, int> judged, int k)
    {
        var dcg = 0.0;
        for (var i = 0; i < Math.Min(k, ranking.Count); i++)
        {
            if (judged.TryGetValue(ranking[i], out var grade) && grade > 0) dcg += grade / Math.Log2(i + 2);
        }
        var ideal = judged.Values.Where(g => g > 0).OrderDescending().Take(k).Select((g, i) => g / Math.Log2(i + 2)).Sum();
        return ideal == 0 ? 0 : dcg / ideal;
    }

    public static double Recall(IReadOnlyList<string> ranking, IReadOnlyDictionary<string, int> judged, int k)
    {
        var relevant = judged.Count(p => p.Value > 0);
        if (relevant == 0) return 0;
        return ranking.Take(k).Count(d => judged.TryGetValue(d, out var g) && g > 0) / (double)relevant;
    }

    /// <summary>Reciprocal rank of the first relevant document within the top k, 0 when there is none.</summary>
    public static double ReciprocalRank(IReadOnlyList<string> ranking, IReadOnlyDictionary<string, int> judged, int k)
    {
        for (var i = 0; i < Math.Min(k, ranking.Count); i++)
        {
            if (judged.TryGetValue(ranking[i], out var grade) && grade > 0) return 1.0 / (i + 1);
        }
        return 0;
    }

    /// <summary>Nearest-rank percentile (the smallest value with at least p% of the samples at or below it).</summary>
    public static double Percentile(IReadOnlyList<double> samples, double p)
    {
        if (samples.Count == 0) return 0;
        var sorted = samples.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
