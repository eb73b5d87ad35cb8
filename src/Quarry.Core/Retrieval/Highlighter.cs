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
        return EnglishTerms.Words(text).Where(w => wanted.Contains(EnglishTerms.Stem(w.Text))).Select(w => new TextSpan(w.Start, w.End)).ToList();
    }
}
