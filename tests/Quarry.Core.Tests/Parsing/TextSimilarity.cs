using System.Text;
using System.Text.RegularExpressions;

namespace Quarry.Core.Tests.Parsing;

/// <summary>
/// Token-multiset F1 between two Markdown texts after normalization (lower case, image placeholders removed, every
/// character that is not a letter or digit — Markdown punctuation, table pipes, escapes — turned into a space).
/// Order-insensitive on purpose: it measures whether the text was extracted, not the reading order.
/// </summary>
internal static partial class TextSimilarity
{
    public static double TokenF1(string expected, string actual)
    {
        var a = Counts(Tokens(expected));
        var b = Counts(Tokens(actual));
        var totalA = a.Values.Sum();
        var totalB = b.Values.Sum();
        if (totalA == 0 && totalB == 0) return 1;
        if (totalA == 0 || totalB == 0) return 0;
        var common = a.Sum(kv => Math.Min(kv.Value, b.GetValueOrDefault(kv.Key)));
        var precision = (double)common / totalB;
        var recall = (double)common / totalA;
        return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    }

    public static List<string> Tokens(string markdown)
    {
        var text = ImagePlaceholder().Replace(markdown, " ").ToLowerInvariant();
        var sb = new StringBuilder(text.Length);
        foreach (var ch in text) sb.Append(char.IsLetterOrDigit(ch) ? ch : ' ');
        return sb.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    private static Dictionary<string, int> Counts(IEnumerable<string> tokens)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var token in tokens) counts[token] = counts.GetValueOrDefault(token) + 1;
        return counts;
    }

    [GeneratedRegex("<!--.*?-->", RegexOptions.Singleline)]
    private static partial Regex ImagePlaceholder();
}
