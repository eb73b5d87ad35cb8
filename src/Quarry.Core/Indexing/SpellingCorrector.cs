namespace Quarry.Indexing;

/// <summary>
/// Suggests, for a word that matches nothing, the indexed term closest to it ("refnd" → "refund"): a trigram index
/// over the keyword vocabulary finds candidates, optimal-string-alignment distance ranks them, and document frequency
/// breaks ties. The vocabulary holds the index's (Porter-stemmed) terms, so distances are measured against stems.
/// </summary>
internal sealed class SpellingCorrector
{
    private readonly string[] _terms;
    private readonly int[] _documentFrequency;
    private readonly Dictionary<string, int[]> _byTrigram;

    public SpellingCorrector(IEnumerable<(string Term, int DocumentFrequency)> vocabulary)
    {
        var entries = vocabulary.Where(v => v.Term.Length is >= 3 and <= 32 && v.Term.All(char.IsLetter)).ToArray();
        _terms = entries.Select(e => e.Term).ToArray();
        _documentFrequency = entries.Select(e => e.DocumentFrequency).ToArray();
        var index = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < _terms.Length; i++)
        {
            foreach (var gram in Trigrams(_terms[i]).Distinct(StringComparer.Ordinal))
            {
                if (!index.TryGetValue(gram, out var list)) index[gram] = list = [];
                list.Add(i);
            }
        }
        _byTrigram = index.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
    }

    public int Count => _terms.Length;

    /// <summary>The best indexed term within the edit budget (1 for 4-letter words, else 2: stems such as "polici"
    /// sit one edit further from a typo than the word did), or null.</summary>
    public string? Suggest(string word)
    {
        if (word.Length < 4 || !word.All(char.IsLetter)) return null;
        var budget = word.Length <= 4 ? 1 : 2;
        var shared = new Dictionary<int, int>();
        foreach (var gram in Trigrams(word))
        {
            if (!_byTrigram.TryGetValue(gram, out var postings)) continue;
            foreach (var id in postings) shared[id] = shared.GetValueOrDefault(id) + 1;
        }
        string? best = null;
        var bestDistance = int.MaxValue;
        var bestFrequency = -1;
        foreach (var (id, common) in shared)
        {
            var term = _terms[id];
            if (common < 2 || Math.Abs(term.Length - word.Length) > budget) continue;
            var distance = Distance(word, term, budget);
            if (distance > budget) continue;
            if (distance < bestDistance || (distance == bestDistance && _documentFrequency[id] > bestFrequency))
            {
                best = term;
                bestDistance = distance;
                bestFrequency = _documentFrequency[id];
            }
        }
        return best;
    }

    private static IEnumerable<string> Trigrams(string word)
    {
        var padded = "^" + word + "$";
        for (var i = 0; i + 3 <= padded.Length; i++) yield return padded.Substring(i, 3);
    }

    /// <summary>Optimal string alignment distance (Levenshtein plus adjacent transpositions), cut off above <paramref name="max"/>.</summary>
    internal static int Distance(string a, string b, int max)
    {
        var previous2 = new int[b.Length + 1];
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var rowMin = current[0];
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var value = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    value = Math.Min(value, previous2[j - 2] + 1);
                current[j] = value;
                rowMin = Math.Min(rowMin, value);
            }
            if (rowMin > max) return max + 1;
            (previous2, previous, current) = (previous, current, previous2);
        }
        return previous[b.Length];
    }
}
