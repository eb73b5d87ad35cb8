using System.Globalization;

namespace Quarry.Chunking;

/// <summary>
/// Rule-based sentence boundaries for prose that is too long for one chunk. A boundary is ". ", "! " or "? " (optionally
/// after closing quotes or brackets) followed by a capital, a digit or an opening quote or bracket, unless the word
/// before the period is a common abbreviation or an initial; CJK full stops end a sentence without a space. Decimals
/// ("3.14") never match because a boundary needs whitespace. Cuts fall only on whitespace or after CJK stops, so
/// token counts of the parts add up to the count of the whole.
/// </summary>
internal static class SentenceSplitter
{
    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "e.g", "i.e", "cf", "vs", "etc", "al", "approx", "ca", "resp", "viz",
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "gen", "col", "lt", "sgt", "rev", "hon",
        "fig", "figs", "eq", "eqs", "ref", "refs", "sec", "ch", "vol", "no", "nos", "p", "pp", "para", "art", "ed", "eds",
        "inc", "ltd", "co", "corp", "dept", "univ", "est", "min", "max", "op", "cit",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    };

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> AbbreviationLookup =
        Abbreviations.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Adds the [start, end) offsets of each sentence of <paramref name="text"/>, trimmed of whitespace.</summary>
    public static void Split(ReadOnlySpan<char> text, List<(int Start, int End)> sentences)
    {
        var start = SkipWhitespace(text, 0);
        for (var i = start; i < text.Length; i++)
        {
            var ch = text[i];
            if (ch is '。' or '！' or '？')
            {
                var end = i + 1;
                while (end < text.Length && IsCloser(text[end])) end++;
                var next = SkipWhitespace(text, end);
                if (next < text.Length)
                {
                    sentences.Add((start, end));
                    start = next;
                }
                i = next - 1;
                continue;
            }
            if (ch is not ('.' or '!' or '?')) continue;

            var stop = i + 1;
            while (stop < text.Length && (IsCloser(text[stop]) || text[stop] is '.' or '!' or '?')) stop++;
            if (stop >= text.Length || !char.IsWhiteSpace(text[stop])) continue;
            var following = SkipWhitespace(text, stop);
            if (following >= text.Length || !StartsSentence(text[following])) continue;
            if (ch == '.' && IsAbbreviation(text[start..i])) continue;

            sentences.Add((start, stop));
            start = following;
            i = following - 1;
        }
        var last = text.Length;
        while (last > start && char.IsWhiteSpace(text[last - 1])) last--;
        if (last > start) sentences.Add((start, last));
    }

    private static bool IsAbbreviation(ReadOnlySpan<char> sentenceSoFar)
    {
        var wordStart = sentenceSoFar.Length;
        while (wordStart > 0 && !char.IsWhiteSpace(sentenceSoFar[wordStart - 1])) wordStart--;
        var word = sentenceSoFar[wordStart..].TrimStart("([\"'“‘");
        if (word.Length == 0) return false;
        // A single letter before the period is an initial ("J. Smith") or an enumerator ("a. First").
        if (word.Length == 1 && char.IsLetter(word[0])) return true;
        return AbbreviationLookup.Contains(word);
    }

    private static bool StartsSentence(char ch) =>
        char.IsUpper(ch) || char.IsDigit(ch) || ch is '"' or '\'' or '“' or '‘' or '(' or '[' or '*' or '_' or '`'
        || char.GetUnicodeCategory(ch) == UnicodeCategory.OtherLetter;

    private static bool IsCloser(char ch) => ch is '"' or '\'' or '”' or '’' or ')' or ']' or '*' or '_' or '`' or '」' or '』';

    private static int SkipWhitespace(ReadOnlySpan<char> text, int index)
    {
        while (index < text.Length && char.IsWhiteSpace(text[index])) index++;
        return index;
    }
}
