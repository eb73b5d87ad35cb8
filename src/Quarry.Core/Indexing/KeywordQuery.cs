using System.Globalization;
using System.Text;
using Quarry.Tokenization;

namespace Quarry.Indexing;

/// <summary>
/// What a user typed, read as a keyword query: single words, and phrases between balanced double quotes. Only letters,
/// digits and combining marks survive, so every engine's query builder receives terms that hold no syntax of its own
/// (operators, quotes, prefixes, column filters are all separators here).
/// </summary>
internal static class KeywordQuery
{
    public const int MaxTerms = 64;
    /// <summary>Longer "words" are noise (base64, hashes) and only cost index lookups.</summary>
    public const int MaxTermLength = 64;

    /// <summary>The terms to search for (each one word, or the words of a quoted phrase), lower-cased.</summary>
    public static List<List<string>> Terms(string? query)
    {
        if (string.IsNullOrWhiteSpace(query))
            return [];
        var terms = Parse(query);
        // Stopwords carry no signal under BM25 but cost a posting-list scan each; keep them only when they are all
        // there is ("to be or not to be"), and never break a phrase the user quoted.
        var meaningful = terms.Where(t => t.Count > 1 || !EnglishStopwords.Contains(t[0])).ToList();
        return meaningful.Count > 0 ? meaningful : terms;
    }

    /// <summary>The single words (outside quoted phrases) that the query searches for; candidates for spelling correction.</summary>
    public static IReadOnlyList<string> SearchWords(string? query) =>
        Terms(query).Where(t => t.Count == 1).Select(t => t[0]).Distinct(StringComparer.Ordinal).Take(MaxTerms).ToList();

    /// <summary>Words, and phrases between balanced double quotes (an unpaired quote is ignored).</summary>
    public static List<List<string>> Parse(string query)
    {
        var quotes = query.Count(c => c == '"');
        var lastUsableQuote = quotes % 2 == 0 ? query.Length : query.LastIndexOf('"');
        var terms = new List<List<string>>();
        List<string>? phrase = null;
        var word = new StringBuilder();

        void EndWord()
        {
            if (word.Length == 0)
                return;
            var token = word.ToString().ToLowerInvariant();
            word.Clear();
            if (token.Length > MaxTermLength)
                return;
            if (phrase is not null)
            {
                if (phrase.Count < MaxTerms)
                    phrase.Add(token);
            }
            else
            {
                terms.Add([token]);
            }
        }

        for (var i = 0; i < query.Length && terms.Count < MaxTerms * 4;)
        {
            var status = Rune.DecodeFromUtf16(query.AsSpan(i), out var rune, out var consumed);
            if (status != System.Buffers.OperationStatus.Done)
            {
                EndWord();
                i += Math.Max(consumed, 1);
                continue;
            }
            if (rune.Value == '"' && i < lastUsableQuote)
            {
                EndWord();
                if (phrase is null)
                {
                    phrase = [];
                }
                else
                {
                    if (phrase.Count > 0)
                        terms.Add(phrase);
                    phrase = null;
                }
            }
            else if (IsWordRune(rune))
            {
                word.Append(query, i, consumed);
            }
            else
            {
                EndWord();
            }
            i += consumed;
        }
        EndWord();
        if (phrase is { Count: > 0 })
            terms.Add(phrase);
        return terms;
    }

    private static bool IsWordRune(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter or
        UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or
        UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber or
        UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => true,
        _ => false,
    };
}
