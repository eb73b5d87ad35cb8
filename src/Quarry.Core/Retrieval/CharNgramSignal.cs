using System.Numerics;

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
        var scratch = Scratch.ForThread();
        var queryProfile = NgramProfile.Of(query);
        if (queryProfile.Grams.Length == 0) return new double[candidates.Count];
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(candidates.Count, (int)ushort.MaxValue);
        return candidates.Count < byte.MaxValue
            ? ScorePooled(queryProfile, candidates, scratch, scratch.SmallFrequencies)
            : ScorePooled(queryProfile, candidates, scratch, scratch.Frequencies);
    }

    /// <summary>Sublinear TF × pool IDF on both sides (ltc.ltc), exactly as first written; <typeparamref name="TCount"/>
    /// is the narrowest counter that holds the pool's size, so the frequency table stays in cache.</summary>
    private static double[] ScorePooled<TCount>(NgramProfile queryProfile, IReadOnlyList<NgramProfile> candidates, Scratch scratch, TCount[] df)
        where TCount : unmanaged, IBinaryInteger<TCount>
    {
        var n = candidates.Count;
        var scores = new double[n];
        var queryGrams = queryProfile.Grams;
        var bits = scratch.QueryBits;
        var queryIndex = scratch.QueryIndex;
        long touched = 0;
        try
        {
            foreach (var candidate in candidates)
            {
                foreach (var gram in candidate.Grams) df[gram]++;
                touched += candidate.Grams.Length;
            }
            var idf = Scratch.Sized(ref scratch.Idf, n + 1);
            for (var d = 0; d <= n; d++) idf[d] = Math.Log((n + 1.0) / (d + 1.0)) + 1.0;

            var queryWeights = Scratch.Sized(ref scratch.QueryWeights, queryGrams.Length);
            double queryNorm = 0;
            for (var i = 0; i < queryGrams.Length; i++)
            {
                var w = Sublinear(queryProfile.Counts[i]) * idf[int.CreateTruncating(df[queryGrams[i]])];
                queryWeights[i] = w;
                queryNorm += w * w;
                bits[queryGrams[i] >> 6] |= 1UL << queryGrams[i];
                queryIndex[queryGrams[i]] = i;
            }
            if (queryNorm != 0)
            {
                var queryScale = 1 / Math.Sqrt(queryNorm);
                for (var i = 0; i < queryGrams.Length; i++) queryWeights[i] *= queryScale;
            }

            var products = Scratch.Zeroed(ref scratch.Products, queryGrams.Length);
            var matches = Scratch.Sized(ref scratch.Matches, queryGrams.Length);
            var matchWeights = Scratch.Sized(ref scratch.MatchWeights, queryGrams.Length);
            for (var c = 0; c < n; c++)
            {
                var profile = candidates[c];
                var grams = profile.Grams;
                var counts = profile.Counts;
                double norm = 0;
                var matched = 0;
                for (var j = 0; j < grams.Length; j++)
                {
                    var gram = grams[j];
                    var w = Sublinear(counts[j]) * idf[int.CreateTruncating(df[gram])];
                    norm += w * w;
                    if ((bits[gram >> 6] & (1UL << gram)) != 0)
                    {
                        matches[matched] = queryIndex[gram];
                        matchWeights[matched++] = w;
                    }
                }
                if (matched == 0) continue;
                var scale = norm == 0 ? 1 : 1 / Math.Sqrt(norm);
                for (var m = 0; m < matched; m++) products[matches[m]] = queryWeights[matches[m]] * (matchWeights[m] * scale);
                // Summed in query order, as a query-driven dot product would: the same score whatever the cache holds.
                double dot = 0;
                for (var q = 0; q < queryGrams.Length; q++) dot += products[q];
                scores[c] = dot;
                for (var m = 0; m < matched; m++) products[matches[m]] = 0;
            }
            return scores;
        }
        finally
        {
            // Clearing the whole table is cheaper than revisiting every gram once the pool is large.
            if (touched > df.Length / 16) Array.Clear(df);
            else
            {
                foreach (var candidate in candidates)
                {
                    foreach (var gram in candidate.Grams) df[gram] = TCount.Zero;
                }
            }
            foreach (var gram in queryGrams) bits[gram >> 6] = 0;
        }
    }

    private static double Sublinear(ushort count) => count < SmallCounts ? LogTf[count] : 1 + Math.Log(count);

    /// <summary>Per-thread tables indexed by gram, all zero between calls (touched entries are reset, or the whole
    /// table when most of it was touched), and buffers reused from call to call.</summary>
    internal sealed class Scratch
    {
        public int[] Counts { get; } = new int[Buckets];
        public List<int> Order { get; } = [];
        public byte[] SmallFrequencies { get; } = new byte[Buckets];
        public ushort[] Frequencies => _frequencies ??= new ushort[Buckets];
        /// <summary>One bit per bucket: is it one of the query's grams? 32 KB, so the test stays in L1.</summary>
        public ulong[] QueryBits { get; } = new ulong[Buckets / 64];
        /// <summary>Position of each query gram in the query profile; meaningful only where <see cref="QueryBits"/> is set.</summary>
        public int[] QueryIndex { get; } = new int[Buckets];

        private ushort[]? _frequencies;
        internal double[] Idf = [], QueryWeights = [], Products = [], MatchWeights = [];
        internal int[] Matches = [];

        public static Scratch ForThread() => _scratch ??= new Scratch();

        public static T[] Sized<T>(ref T[] buffer, int length)
        {
            if (buffer.Length < length) buffer = new T[Math.Max(length, buffer.Length * 2)];
            return buffer;
        }

        public static T[] Zeroed<T>(ref T[] buffer, int length)
        {
            var result = Sized(ref buffer, length);
            Array.Clear(result, 0, length);
            return result;
        }
    }
}
