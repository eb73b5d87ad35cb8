using System.Text.RegularExpressions;
using Quarry.Tokenization;

namespace Quarry.Generation;

/// <summary>What a question asks for, read from its wording: the content terms to match and the kind of answer
/// ("how many" wants a number, "when" a date, "who"/"where" a name), which favours sentences that contain one.</summary>
internal sealed partial record QuestionProfile(IReadOnlyList<string> Terms, QuestionProfile.AnswerKind Kind, HashSet<string> Words)
{
    public enum AnswerKind
    {
        Any,
        Number,
        Time,
        Name,
    }

    private static readonly HashSet<string> QuestionWords = new(StringComparer.Ordinal)
    {
        "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "name", "many", "much", "did", "does", "do",
    };

    private static readonly HashSet<string> HowAdjectives = new(StringComparer.Ordinal)
    {
        "long", "old", "far", "large", "big", "tall", "high", "often", "soon", "late", "early",
    };

    public static QuestionProfile Parse(string question)
    {
        var words = EnglishTerms.Words(question).Select(w => w.Text).ToList();
        // "how long", "how old": the adjective asks for a quantity and is not a word the answer will contain.
        var terms = words.Where((w, i) => EnglishTerms.IsContent(w) && !QuestionWords.Contains(w) && !(i > 0 && words[i - 1] == "how" && HowAdjectives.Contains(w)))
            .Select(EnglishTerms.Stem).Distinct().ToList();
        return new QuestionProfile(terms, KindOf(question.ToLowerInvariant()), words.ToHashSet(StringComparer.Ordinal));
    }

    private static AnswerKind KindOf(string q)
    {
        if (NumberCue().IsMatch(q)) return AnswerKind.Number;
        if (TimeCue().IsMatch(q)) return AnswerKind.Time;
        if (NameCue().IsMatch(q)) return AnswerKind.Name;
        return AnswerKind.Any;
    }

    /// <summary>Whether <paramref name="sentence"/> holds a value of the kind asked for that the question itself does not mention.</summary>
    public bool HasCandidateAnswer(string sentence) => Kind switch
    {
        AnswerKind.Number => NumberValue().Matches(sentence).Any(m => !Words.Contains(m.Value.ToLowerInvariant())),
        AnswerKind.Time => TimeValue().Matches(sentence).Any(m => !Words.Contains(m.Value.ToLowerInvariant())),
        AnswerKind.Name => NameValue().Matches(sentence).Any(m => m.Index > 0 && !Words.Contains(m.Value.ToLowerInvariant())),
        _ => false,
    };

    [GeneratedRegex(@"\bhow (many|much|long|old|far|large|big|tall|high|often)\b|\b(what|which) (percentage|percent|number|amount|proportion)\b")]
    private static partial Regex NumberCue();

    [GeneratedRegex(@"^\s*when\b|\b(what|which) (year|date|day|month|century|decade|time|period|era)\b|\bin what year\b")]
    private static partial Regex TimeCue();

    [GeneratedRegex(@"^\s*(who|whom|whose|where)\b|\b(who|whom|whose|where)\b|\b(what|which) (person|city|country|state|company|team|organization|university|place|name)\b")]
    private static partial Regex NameCue();

    [GeneratedRegex(@"\b\d[\d,.]*\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|million|billion|dozen)s?\b", RegexOptions.IgnoreCase)]
    private static partial Regex NumberValue();

    [GeneratedRegex(@"\b(1\d{3}|20\d{2})s?\b|\b(january|february|march|april|may|june|july|august|september|october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|century|decade|bc|ad)\b", RegexOptions.IgnoreCase)]
    private static partial Regex TimeValue();

    [GeneratedRegex(@"\b\p{Lu}[\p{L}'’-]+")]
    private static partial Regex NameValue();
}
