using System.Collections.Frozen;
using System.Text;
using Quarry.Tokenization;

namespace Quarry.Conversations;

/// <summary>
/// The rewrite that needs no model. A follow-up that refers back ("who founded it?", "and its timeout?") or is too
/// short to stand alone ("what about Python?") gets the previous question's salient terms appended: its entities
/// (capitalized runs) and content words the follow-up does not already have. Keyword and vector retrieval both
/// read a bag of terms well, so the appended terms need no grammar. A question that stands alone is left as asked.
/// </summary>
internal static class FollowUpRule
{
    // Words that point back into the conversation. "one"/"ones" ("the second one") and "there"/"then" (place, time).
    private static readonly FrozenSet<string> Anaphors = new[]
    {
        "it", "its", "it's", "itself", "they", "them", "their", "theirs", "themselves", "this", "that", "these", "those",
        "he", "him", "his", "himself", "she", "her", "hers", "herself", "one", "ones", "there", "then", "former", "latter",
        "same", "such",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly string[] EllipticalOpenings = ["and ", "what about ", "how about ", "also ", "or ", "but ", "same for ", "and what about "];

    /// <summary>Content words below which a question is elliptical (at which, too, unless one of them names something).</summary>
    private const int ShortQuestionWords = 2;

    /// <summary>Terms carried over from the previous turn at most; more would drown the follow-up's own words.</summary>
    private const int MaxCarried = 12;

    /// <summary>The standalone query, or null when the question needs no rewrite (or there is nothing to carry).</summary>
    /// <param name="previous">The previous user questions, oldest first (the last one is carried; earlier ones only
    /// when it was itself a follow-up with too little to carry).</param>
    public static string? Rewrite(string question, IReadOnlyList<string> previous)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(previous);
        if (previous.Count == 0 || !IsFollowUp(question)) return null;
        var own = new HashSet<string>(Words(question).Select(w => w.ToLowerInvariant()), StringComparer.Ordinal);
        var carried = new List<string>();
        // The last question first; when it was elliptical too, the one before still holds the subject.
        for (var i = previous.Count - 1; i >= 0 && carried.Count < MaxCarried; i--)
        {
            foreach (var term in Salient(previous[i]))
            {
                if (carried.Count >= MaxCarried) break;
                if (own.Add(term.ToLowerInvariant())) carried.Add(term);
            }
            if (!IsFollowUp(previous[i])) break;
        }
        return carried.Count == 0 ? null : question.TrimEnd() + " " + string.Join(' ', carried);
    }

    public static bool IsFollowUp(string question)
    {
        var lower = question.Trim().ToLowerInvariant();
        if (EllipticalOpenings.Any(o => lower.StartsWith(o, StringComparison.Ordinal))) return true;
        var words = Words(question.Trim()).ToList();
        if (words.Any(w => Anaphors.Contains(w.ToLowerInvariant()))) return true;
        var content = words.Select((w, i) => (Word: w, Index: i))
            .Where(x => !EnglishStopwords.Contains(x.Word.ToLowerInvariant()) && !IsQuestionWord(x.Word.ToLowerInvariant())).ToList();
        // "Why?", "How long?" lean on the conversation; "What is the capital of France?" names its subject.
        return content.Count < ShortQuestionWords || (content.Count == ShortQuestionWords && !content.Any(x => x.Index > 0 && char.IsUpper(x.Word[0])));
    }

    /// <summary>Entities (runs of capitalized words, kept whole) first, then the remaining content words, in order.</summary>
    private static IEnumerable<string> Salient(string question)
    {
        var words = Words(question).ToList();
        var entities = new List<string>();
        var content = new List<string>();
        for (var i = 0; i < words.Count; i++)
        {
            var word = words[i];
            var lower = word.ToLowerInvariant();
            if (Anaphors.Contains(lower) || EnglishStopwords.Contains(lower) || IsQuestionWord(lower)) continue;
            // The first word of a question is capitalized by grammar, not because it names something.
            if (i > 0 && char.IsUpper(word[0])) entities.Add(word);
            else content.Add(word);
        }
        return entities.Concat(content).Distinct(StringComparer.OrdinalIgnoreCase);
    }

    private static bool IsQuestionWord(string lower) => lower is "what" or "who" or "whom" or "whose" or "which" or "when"
        or "where" or "why" or "how" or "does" or "did" or "do" or "is" or "are" or "was" or "were" or "can" or "could" or "about";

    private static IEnumerable<string> Words(string text)
    {
        var word = new StringBuilder();
        foreach (var ch in text)
        {
            if (char.IsLetterOrDigit(ch) || (ch is '\'' or '-' && word.Length > 0))
            {
                word.Append(ch);
                continue;
            }
            if (word.Length > 0) yield return Trimmed(word);
            word.Clear();
        }
        if (word.Length > 0) yield return Trimmed(word);
    }

    private static string Trimmed(StringBuilder word)
    {
        var text = word.ToString().TrimEnd('\'', '-');
        return text.EndsWith("'s", StringComparison.Ordinal) && text.Length > 2 ? text[..^2] : text;
    }
}
