using System.Globalization;

namespace Quarry.Parsing;

/// <summary>
/// Guesses a document's language (ISO 639-1) from its script and, for Latin script, from frequent function words.
/// Cheap by design: it only needs to be right often enough to route stemming and filters, and says null when unsure.
/// </summary>
internal static class LanguageDetector
{
    private const int SampleChars = 8192;

    private static readonly (string Language, HashSet<string> Words)[] LatinProfiles =
    [
        ("en", Words("the of and to in is that for it with as was on are be by this from or an which")),
        ("de", Words("der die und das ist nicht den von zu mit sich des auf für im dem eine ein auch es")),
        ("fr", Words("le la les et des est une un du pour dans que qui pas sur au avec ce sont par")),
        ("es", Words("el la los de que y en las por un una con para es del se al como más pero")),
        ("it", Words("il di che la per non una sono della gli con del le nel alla anche come più")),
        ("pt", Words("de que o a os as em um uma para com não por mais do da dos das ao é")),
        ("nl", Words("de het een en van in is dat op te zijn met voor niet die aan er ook als")),
    ];

    public static string? Detect(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var sample = text.Length > SampleChars ? text[..SampleChars] : text;

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

        var scripts = new (string Language, int Count)[]
        {
            ("ja", kana + (kana > 0 ? han : 0)), ("zh", kana > 0 ? 0 : han), ("ko", hangul), ("ru", cyrillic), ("ar", arabic),
            ("he", hebrew), ("el", greek), ("hi", devanagari), ("th", thai),
        };
        var (script, count) = scripts.MaxBy(s => s.Count);
        if (count > letters * 0.3 && count >= latin) return script;
        if (latin < letters * 0.5) return null;

        var scores = new int[LatinProfiles.Length];
        var words = 0;
        foreach (var word in sample.ToLower(CultureInfo.InvariantCulture).Split(Separators, StringSplitOptions.RemoveEmptyEntries))
        {
            words++;
            for (var i = 0; i < LatinProfiles.Length; i++)
            {
                if (LatinProfiles[i].Words.Contains(word)) scores[i]++;
            }
        }
        var best = Array.IndexOf(scores, scores.Max());
        var runnerUp = scores.Where((_, i) => i != best).DefaultIfEmpty(0).Max();
        // Function words make up a large share of running text; demand a clear winner over a handful of hits.
        return scores[best] >= Math.Max(3, words / 20) && scores[best] > runnerUp * 1.2 ? LatinProfiles[best].Language : null;
    }

    private static readonly char[] Separators = [.. " \t\r\n.,;:!?()[]{}\"'«»“”‘’`|#*_-/\\<>=+&%$@0123456789"];

    private static HashSet<string> Words(string words) => new(words.Split(' '), StringComparer.Ordinal);
}
