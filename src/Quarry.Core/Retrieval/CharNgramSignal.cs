namespace Quarry.Retrieval;

/// <summary>
/// A character n-gram (3–5) TF-IDF cosine between the query and each keyword candidate. It needs no model and
/// rewards partial word overlap that a stemmer misses (chemical names, compounds, inflections, typos), which is what
/// lifts classical retrieval past plain BM25. IDF comes from the candidate pool itself, so nothing extra is indexed.
/// </summary>
/// <remarks>
/// A candidate's n-gram counts do not depend on the query, so they are computed once per chunk
/// (<see cref="NgramProfile"/>, cached by <see cref="CharNgramScorer"/>); per query only document frequencies, norms and
/// the overlap with the query's grams are computed, over flat arrays indexed by gram. The arithmetic is the textbook
/// one in a fixed order (first occurrence in the text, then query order), so scores do not depend on caching.
/// </remarks>
internal static class CharNgramSignal
{
    internal const int Buckets = 1 << 18;
    private const int SmallCounts = 256;

    /// <summary>1 + ln(tf) for small counts: the sublinear term frequency, looked up rather than recomputed.</summary>
    private static readonly double[] LogTf = Enumerable.Range(0, SmallCounts).Select(c => 1 + Math.Log(c)).ToArray();

    [ThreadStatic] private static Scratch? _scratch;

    /// <returns>Cosine similarity per candidate, in candidate order.</returns>
    public static double[] Score(string query, IReadOnlyList<NgramProfile> candidates)
    {
        var n = candidates.Count;
        var scores = new double[n];
        var scratch = _scratch ??= new Scratch();
        var queryProfile = NgramProfile.Of(query);
        if (queryProfile.Grams.Length == 0) return scores;

        var df = scratch.DocumentFrequency;
        var queryIndex = scratch.QueryIndex;
        try
        {
            foreach (var candidate in candidates)
            {
                foreach (var gram in candidate.Grams) df[gram]++;
            }
            var idf = new double[n + 1];
            for (var d = 0; d <= n; d++) idf[d] = Math.Log((n + 1.0) / (d + 1.0)) + 1.0;

            var queryWeights = Normalized(queryProfile, df, idf);
            for (var i = 0; i < queryProfile.Grams.Length; i++) queryIndex[queryProfile.Grams[i]] = i + 1;

            var products = new double[queryWeights.Length];
            var matches = new int[queryWeights.Length];
            var matchWeights = new double[queryWeights.Length];
            for (var c = 0; c < n; c++)
            {
                var profile = candidates[c];
                double norm = 0;
                var matched = 0;
                for (var j = 0; j < profile.Grams.Length; j++)
                {
                    var gram = profile.Grams[j];
                    var w = Sublinear(profile.Counts[j]) * idf[df[gram]];
                    norm += w * w;
                    if (queryIndex[gram] is var k and > 0)
                    {
                        matches[matched] = k - 1;
                        matchWeights[matched++] = w;
                    }
                }
                if (matched == 0) continue;
                var scale = norm == 0 ? 1 : 1 / Math.Sqrt(norm);
                for (var m = 0; m < matched; m++) products[matches[m]] = queryWeights[matches[m]] * (matchWeights[m] * scale);
                // Summed in query order, as a query-driven dot product would: the same score whatever the cache holds.
                double dot = 0;
                for (var q = 0; q < products.Length; q++) dot += products[q];
                scores[c] = dot;
                for (var m = 0; m < matched; m++) products[matches[m]] = 0;
            }
            return scores;
        }
        finally
        {
            foreach (var candidate in candidates)
            {
                foreach (var gram in candidate.Grams) df[gram] = 0;
            }
            foreach (var gram in queryProfile.Grams) queryIndex[gram] = 0;
        }
    }

    /// <summary>Sublinear TF times IDF, L2-normalized, so the dot product is a cosine.</summary>
    private static double[] Normalized(NgramProfile profile, int[] df, double[] idf)
    {
        var weights = new double[profile.Grams.Length];
        double norm = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            var w = Sublinear(profile.Counts[i]) * idf[df[profile.Grams[i]]];
            weights[i] = w;
            norm += w * w;
        }
        if (norm == 0) return weights;
        var scale = 1 / Math.Sqrt(norm);
        for (var i = 0; i < weights.Length; i++) weights[i] *= scale;
        return weights;
    }

    private static double Sublinear(float count) => count < SmallCounts ? LogTf[(int)count] : 1 + Math.Log(count);

    /// <summary>Per-thread arrays indexed by gram, all zero between calls (only touched entries are reset).</summary>
    internal sealed class Scratch
    {
        public int[] Counts { get; } = new int[Buckets];
        public int[] DocumentFrequency { get; } = new int[Buckets];
        public int[] QueryIndex { get; } = new int[Buckets];

        public static Scratch ForThread() => _scratch ??= new Scratch();
    }
}
