using System.Buffers;

namespace Quarry.Parsing;

/// <summary>
/// Guesses a document's language (ISO 639-1) from its script and, for Latin script, from frequent function words.
/// Cheap by design: it only needs to be right often enough to route stemming and filters, and says null when unsure.
/// It runs on every ingested document, so it reads the sample in place: words are lower-cased into a stack buffer
/// (only those short enough to be a function word) rather than lower-casing and splitting the sample into strings.
/// </summary>
internal static class LanguageDetector
{
    private const int SampleChars = 8192;

    private static readonly (string Language, HashSet<string>.AlternateLookup<ReadOnlySpan<char>> Words)[] LatinProfiles =
    [
        ("en", Words("the of and to in is that for it with as was on are be by this from or an which")),
        ("de", Words("der die und das ist nicht den von zu mit sich des auf für im dem eine ein auch es")),
        ("fr", Words("le la les et des est une un du pour dans que qui pas sur au avec ce sont par")),
        ("es", Words("el la los de que y en las por un una con para es del se al como más pero")),
        ("it", Words("il di che la per non una sono della gli con del le nel alla anche come più")),
        ("pt", Words("de que o a os as em um uma para com não por mais do da dos das ao é")),
        ("nl", Words("de het een en van in is dat op te zijn met voor niet die aan er ook als")),
    ];

    // Invariant lower-casing keeps a word's length, so a longer word cannot be a function word.
    private static readonly int LongestWord = LatinProfiles.Max(p => p.Words.Set.Max(w => w.Length));

    public static string? Detect(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var sample = text.AsSpan(0, Math.Min(text.Length, SampleChars));

        int letters = 0, latin = 0, han = 0, kana = 0, hangul = 0, cyrillic = 0, arabic = 0, hebrew = 0, greek = 0, devanagari = 0, thai = 0;
        foreach (var ch in sample)
        {
            if (!char.IsLetter(ch)) continue;
            letters++;
            switch (ch)
            {
                case <= '\u024F': latin++; break;
                case >= '\u0370' and <= '\u03FF': greek++; break;
                case >= '\u0400' and <= '\u04FF': cyrillic++; break;
                case >= '\u0590' and <= '\u05FF': hebrew++; break;
                case >= '\u0600' and <= '\u06FF': arabic++; break;
                case >= '\u0900' and <= '\u097F': devanagari++; break;
                case >= '\u0E00' and <= '\u0E7F': thai++; break;
                case >= '\u3040' and <= '\u30FF': kana++; break;
                case >= '\u4E00' and <= '\u9FFF': han++; break;
                case >= '\uAC00' and <= '\uD7AF': hangul++; break;
            }
        }
        if (letters < 20) return null;

        // The first script with the most letters, in this order.
        var (script, count) = ("ja", kana + (kana > 0 ? han : 0));
        Consider("zh", kana > 0 ? 0 : han);
        Consider("ko", hangul);
        Consider("ru", cyrillic);
        Consider("ar", arabic);
        Consider("he", hebrew);
        Consider("el", greek);
        Consider("hi", devanagari);
        Consider("th", thai);
        if (count > letters * 0.3 && count >= latin) return script;
        if (latin < letters * 0.5) return null;

        Span<int> scores = stackalloc int[LatinProfiles.Length];
        Span<char> lowered = stackalloc char[LongestWord];
        var words = 0;
        var rest = sample;
        while (!rest.IsEmpty)
        {
            var start = rest.IndexOfAnyExcept(Separators);
            if (start < 0) break;
            rest = rest[start..];
            var length = rest.IndexOfAny(Separators);
            if (length < 0) length = rest.Length;
            var word = rest[..length];
            rest = rest[length..];
            words++;
            if (word.Length > LongestWord) continue;
            var lower = lowered[..word.ToLowerInvariant(lowered)];
            for (var i = 0; i < LatinProfiles.Length; i++)
            {
                if (LatinProfiles[i].Words.Contains(lower)) scores[i]++;
            }
        }
        var best = 0;
        for (var i = 1; i < scores.Length; i++)
        {
            if (scores[i] > scores[best]) best = i;
        }
        var runnerUp = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            if (i != best) runnerUp = Math.Max(runnerUp, scores[i]);
        }
        // Function words make up a large share of running text; demand a clear winner over a handful of hits.
        return scores[best] >= Math.Max(3, words / 20) && scores[best] > runnerUp * 1.2 ? LatinProfiles[best].Language : null;

        void Consider(string language, int letterCount)
        {
            if (letterCount > count) (script, count) = (language, letterCount);
        }
    }

    private static readonly SearchValues<char> Separators = SearchValues.Create(" \t\r\n.,;:!?()[]{}\"'«»“”‘’`|#*_-/\\<>=+&%$@0123456789");

    private static HashSet<string>.AlternateLookup<ReadOnlySpan<char>> Words(string words) =>
        new HashSet<string>(words.Split(' '), StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
}
