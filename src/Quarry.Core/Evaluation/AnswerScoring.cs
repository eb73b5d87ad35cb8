using System.Text;
using System.Text.Json;

namespace Quarry.Evaluation;

/// <summary>
/// Answer quality against gold answer strings, as the SQuAD evaluation script defines it: answers are normalized
/// (lower case, punctuation and the articles a/an/the removed, whitespace collapsed) and compared by token F1; the
/// best gold answer counts.
/// </summary>
public static class AnswerScoring
{
    public static double F1(string prediction, IReadOnlyList<string> golds)
    {
        var predicted = Tokens(prediction);
        return golds.Count == 0 ? 0 : golds.Max(g => F1(predicted, Tokens(g)));
    }

    /// <summary>Whether any gold answer occurs in <paramref name="text"/>, both normalized.</summary>
    public static bool ContainsAny(string text, IReadOnlyList<string> golds)
    {
        var normalized = " " + string.Join(' ', Tokens(text)) + " ";
        return golds.Select(g => string.Join(' ', Tokens(g))).Any(g => g.Length > 0 && normalized.Contains(" " + g + " ", StringComparison.Ordinal));
    }

    public static IReadOnlyList<string> Tokens(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var ch in text.ToLowerInvariant()) sb.Append(char.IsPunctuation(ch) || char.IsSymbol(ch) ? ' ' : ch);
        return sb.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Where(t => t is not ("a" or "an" or "the")).ToList();
    }

    /// <summary>Gold answers per question id from <c>answers.jsonl</c> (<c>{"_id", "answers": [...]}</c>).</summary>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> LoadGoldAnswersAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Gold answers are missing: {path} (one {{\"_id\", \"answers\": [...]}} per line).", path);
        var answers = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var line in await File.ReadAllLinesAsync(path, cancellationToken))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var json = JsonDocument.Parse(line);
            answers[json.RootElement.GetProperty("_id").ToString()] =
                json.RootElement.GetProperty("answers").EnumerateArray().Select(a => a.GetString() ?? "").Where(a => a.Length > 0).ToList();
        }
        return answers;
    }

    private static double F1(IReadOnlyList<string> predicted, IReadOnlyList<string> gold)
    {
        if (predicted.Count == 0 || gold.Count == 0) return predicted.Count == gold.Count ? 1 : 0;
        var counts = gold.GroupBy(t => t, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var common = 0;
        foreach (var token in predicted)
        {
            if (counts.TryGetValue(token, out var c) && c > 0)
            {
                counts[token] = c - 1;
                common++;
            }
        }
        if (common == 0) return 0;
        var precision = (double)common / predicted.Count;
        var recall = (double)common / gold.Count;
        return 2 * precision * recall / (precision + recall);
    }
}
