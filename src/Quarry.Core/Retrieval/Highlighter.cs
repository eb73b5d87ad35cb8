using Quarry.Documents;
using Quarry.Tokenization;

namespace Quarry.Retrieval;

/// <summary>
/// Finds where the query's words occur in a text, for highlighting. Matching is on a light stem so that "refunds"
/// highlights "refund"; it only decorates results and never ranks them.
/// </summary>
public static class Highlighter
{
    public static IReadOnlyList<TextSpan> Find(string text, string query)
    {
        var wanted = EnglishTerms.ContentStems(query);
        if (wanted.Count == 0) return [];
        // The stemmer rewrites a word's ending only, never its first letter: a word that begins with no wanted stem's
        // letter cannot match, and is neither copied nor stemmed (most of a chunk's words, on every search result).
        var initials = new HashSet<char>(wanted.Select(w => w[0]));
        var found = new List<TextSpan>();
        var at = 0;
        while (EnglishTerms.NextWord(text, ref at) is var (start, end) && end > start)
        {
            if (!initials.Contains(char.ToLowerInvariant(text[start]))) continue;
            if (wanted.Contains(EnglishTerms.Stem(text[start..end].ToLowerInvariant()))) found.Add(new TextSpan(start, end));
        }
        return found;
    }
}
