using System.Text;
using Quarry.Indexing;

namespace Quarry.Storage.Sqlite;

/// <summary>
/// Turns what a user typed into an FTS5 MATCH expression that can only ever mean "any of these words or phrases".
/// The terms come from <see cref="KeywordQuery"/> (letters, digits and marks only, as the unicode61 tokenizer would
/// split them) and every term is emitted double-quoted, so <c>" * : - ^ ( ) NEAR AND OR NOT</c> never act as syntax.
/// </summary>
internal static class Fts5QueryBuilder
{
    public const int MaxTerms = KeywordQuery.MaxTerms;

    /// <summary>The MATCH expression, or null when the text has no searchable word (search returns nothing).</summary>
    /// <param name="corrections">Indexed terms to search alongside misspelled words (see <see cref="SpellingCorrector"/>);
    /// they come from the index vocabulary (letters only) and are emitted as quoted prefix terms.</param>
    public static string? Build(string? query, IReadOnlyDictionary<string, string>? corrections = null)
    {
        var terms = KeywordQuery.Terms(query);
        if (terms.Count == 0)
            return null;

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var builder = new StringBuilder();
        foreach (var term in terms)
        {
            var text = string.Join(' ', term);
            if (!seen.Add(text))
                continue;
            if (seen.Count > MaxTerms)
                break;
            if (builder.Length > 0)
                builder.Append(" OR ");
            // Terms hold only letters, digits and marks, so there is no quote to escape.
            builder.Append('"').Append(text).Append('"');
            if (term.Count == 1 && corrections is not null && corrections.TryGetValue(text, out var correction) && seen.Add(correction + "*"))
                builder.Append(" OR \"").Append(correction).Append("\"*");
        }
        return builder.ToString();
    }

    /// <summary>The single words (outside quoted phrases) that the query searches for; candidates for spelling correction.</summary>
    public static IReadOnlyList<string> SearchWords(string? query) => KeywordQuery.SearchWords(query);
}
