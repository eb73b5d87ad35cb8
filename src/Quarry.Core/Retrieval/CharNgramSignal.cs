using System.Runtime.InteropServices;

namespace Quarry.Retrieval;

/// <summary>
/// A character n-gram (3–5) TF-IDF cosine between the query and each keyword candidate. It needs no model and
/// rewards partial word overlap that a stemmer misses (chemical names, compounds, inflections, typos), which is what
/// lifts classical retrieval past plain BM25. IDF comes from the candidate pool itself, so nothing extra is indexed.
/// </summary>
internal static class CharNgramSignal
{
    private const int Buckets = 1 << 18;

    /// <returns>Cosine similarity per candidate, in candidate order.</returns>
    public static double[] Score(string query, IReadOnlyList<string> candidates)
    {
        var docs = new Dictionary<int, float>[candidates.Count];
        var documentFrequency = new Dictionary<int, int>();
        for (var i = 0; i < candidates.Count; i++)
        {
            docs[i] = TermFrequencies(candidates[i]);
            foreach (var gram in docs[i].Keys)
                CollectionsMarshal.GetValueRefOrAddDefault(documentFrequency, gram, out _)++;
        }

        var n = candidates.Count;
        double Idf(int gram) => Math.Log((n + 1.0) / (documentFrequency.GetValueOrDefault(gram) + 1.0)) + 1.0;

        var queryVector = Weigh(TermFrequencies(query), Idf);
        var scores = new double[n];
        if (queryVector.Count == 0) return scores;
        for (var i = 0; i < n; i++)
        {
            var docVector = Weigh(docs[i], Idf);
            double dot = 0;
            foreach (var (gram, weight) in queryVector)
            {
                if (docVector.TryGetValue(gram, out var w)) dot += weight * w;
            }
            scores[i] = dot;
        }
        return scores;
    }

    /// <summary>Sublinear TF times IDF, L2-normalized, so the dot product is a cosine.</summary>
    private static Dictionary<int, double> Weigh(Dictionary<int, float> frequencies, Func<int, double> idf)
    {
        var weighted = new Dictionary<int, double>(frequencies.Count);
        double norm = 0;
        foreach (var (gram, tf) in frequencies)
        {
            var w = (1 + Math.Log(tf)) * idf(gram);
            weighted[gram] = w;
            norm += w * w;
        }
        if (norm == 0) return weighted;
        var scale = 1 / Math.Sqrt(norm);
        foreach (var gram in weighted.Keys) weighted[gram] *= scale;
        return weighted;
    }

    /// <summary>Hashed 3-, 4- and 5-grams of the lower-cased text, with each word padded by spaces so grams
    /// also mark where words start and end.</summary>
    internal static Dictionary<int, float> TermFrequencies(string text)
    {
        var grams = new Dictionary<int, float>();
        Span<char> buffer = stackalloc char[66];
        var length = 0;
        foreach (var raw in text)
        {
            var c = char.ToLowerInvariant(raw);
            if (char.IsLetterOrDigit(c))
            {
                if (length == 0) buffer[length++] = ' ';
                if (length < buffer.Length - 1) buffer[length++] = c;
                continue;
            }
            Flush(buffer, ref length, grams);
        }
        Flush(buffer, ref length, grams);
        return grams;
    }

    private static void Flush(Span<char> buffer, ref int length, Dictionary<int, float> grams)
    {
        if (length == 0) return;
        buffer[length++] = ' ';
        var word = buffer[..length];
        for (var size = 3; size <= 5; size++)
        {
            for (var start = 0; start + size <= word.Length; start++)
            {
                var hash = (int)((uint)string.GetHashCode(word.Slice(start, size)) % Buckets);
                CollectionsMarshal.GetValueRefOrAddDefault(grams, hash, out _)++;
            }
        }
        length = 0;
    }
}
