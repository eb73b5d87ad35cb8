using System.Text.RegularExpressions;

namespace Quarry.Intents;

/// <summary>The route a question takes; recorded in the answer (<c>route</c>) and the trace.</summary>
public static class QuestionRoutes
{
    public const string Qa = "qa";
    public const string Summary = "summary";
    public const string ChitChat = "chitchat";
}

/// <param name="Route">One of <see cref="QuestionRoutes"/>.</param>
/// <param name="Subject">For a summary: what to summarize ("" for the whole knowledge base).</param>
internal sealed record RoutedQuestion(string Route, string Subject);

/// <summary>
/// Reads the route from the wording, deterministically (no model call): English cues for summaries and small talk.
/// Anything else is a question. Rules, not a classifier, because a wrong "summary" route costs a whole map-reduce.
/// </summary>
internal static partial class QuestionRouter
{
    public static RoutedQuestion Classify(string question)
    {
        var q = question.Trim();
        if (SmallTalk().IsMatch(q)) return new RoutedQuestion(QuestionRoutes.ChitChat, "");
        var summary = SummaryCue().Match(q);
        if (!summary.Success) return new RoutedQuestion(QuestionRoutes.Qa, "");
        var subject = summary.Groups["subject"].Value.Trim().TrimEnd('?', '.', '!').Trim();
        return new RoutedQuestion(QuestionRoutes.Summary, WholeCollection().IsMatch(subject) ? "" : subject);
    }

    [GeneratedRegex(@"^(hi|hello|hey|hiya|good (morning|afternoon|evening)|thanks?( you)?( (so|very) much)?|thank you|cheers|bye|goodbye|see you|ok(ay)?|who are you|what are you|what can you do|how are you( doing)?|help)( there| quarry)?[\s\p{P}]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SmallTalk();

    [GeneratedRegex(@"^(please\s+|can you\s+|could you\s+)?(summari[sz]e|give( me)? (a |an )?(short |brief )?(summary|overview) of|what is the (summary|gist) of|tl;?dr( of)?)\s*(?<subject>.*)$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SummaryCue();

    [GeneratedRegex(@"^((the|this|my|our)\s+)?(knowledge base|kb|documents?|docs|collection|everything|all( (the|of the))? (documents|docs))?$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WholeCollection();
}
