namespace Quarry.Tokenization;

/// <summary>
/// Words of a text with their offsets, lower-cased, and their Porter stem so that "refunds", "refunded" and
/// "refund" meet. Used wherever Quarry matches a question against text it already
/// retrieved (highlighting, sentence selection, citation support); ranking in the index uses the engine's own stemmer.
/// </summary>
internal static class EnglishTerms
{
    public readonly record struct Word(string Text, int Start, int End);

    public static IEnumerable<Word> Words(string text)
    {
        var at = 0;
        while (NextWord(text, ref at) is var (start, end) && end > start)
            yield return new Word(text[start..end].ToLowerInvariant(), start, end);
    }

    /// <summary>Where the next word of <see cref="Words"/> lies, from <paramref name="at"/> on (an empty range at the
    /// end), without copying it: for callers that look at most words no further.</summary>
    public static (int Start, int End) NextWord(string text, ref int at)
    {
        var i = at;
        while (i < text.Length && !char.IsLetterOrDigit(text[i])) i++;
        var start = i;
        while (i < text.Length && (char.IsLetterOrDigit(text[i]) || IsInnerJoiner(text, i))) i++;
        at = i;
        return (start, i);
    }

    /// <summary>Distinct stems of the words that carry meaning (no stopwords, no single characters).</summary>
    public static HashSet<string> ContentStems(string text)
    {
        var stems = new HashSet<string>(StringComparer.Ordinal);
        foreach (var word in Words(text))
        {
            if (IsContent(word.Text)) stems.Add(Stem(word.Text));
        }
        return stems;
    }

    public static bool IsContent(string lowercaseWord) =>
        (lowercaseWord.Length > 1 || char.IsDigit(lowercaseWord[0])) && !EnglishStopwords.Contains(lowercaseWord);

    public static string Stem(string word) => PorterStemmer.Stem(word);

    // "don't", "U.S." and "3.5" stay one word; a trailing apostrophe or period does not.
    private static bool IsInnerJoiner(string text, int i) =>
        text[i] is '\'' or '’' or '.' && i > 0 && i + 1 < text.Length && char.IsLetterOrDigit(text[i - 1]) && char.IsLetterOrDigit(text[i + 1]);
}
