using Quarry.Documents;

namespace Quarry.Retrieval;

/// <summary>
/// Finds where the query's words occur in a text, for highlighting. Matching is on a light stem (plural and common
/// verb endings dropped) so that "refunds" highlights "refund"; it only decorates results and never ranks them.
/// </summary>
public static class Highlighter
{
    private static readonly HashSet<string> Stopwords = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "how", "in", "is", "it", "of", "on", "or",
        "that", "the", "this", "to", "was", "what", "when", "where", "which", "who", "why", "with", "do", "does", "i", "can",
    };

    public static IReadOnlyList<TextSpan> Find(string text, string query)
    {
        var wanted = Words(query).Select(w => Stem(w.Word)).Where(s => s.Length > 1 && !Stopwords.Contains(s)).ToHashSet(StringComparer.Ordinal);
        if (wanted.Count == 0) return [];
        return Words(text).Where(w => wanted.Contains(Stem(w.Word))).Select(w => w.Span).ToList();
    }

    private static IEnumerable<(string Word, TextSpan Span)> Words(string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && !char.IsLetterOrDigit(text[i])) i++;
            var start = i;
            while (i < text.Length && char.IsLetterOrDigit(text[i])) i++;
            if (i > start) yield return (text[start..i].ToLowerInvariant(), new TextSpan(start, i));
        }
    }

    private static string Stem(string word)
    {
        if (word.Length > 4 && word.EndsWith("ies", StringComparison.Ordinal)) return word[..^3] + "y";
        foreach (var suffix in (string[])["ing", "ed", "es", "s"])
        {
            if (word.Length > suffix.Length + 2 && word.EndsWith(suffix, StringComparison.Ordinal)) return word[..^suffix.Length];
        }
        return word;
    }
}
