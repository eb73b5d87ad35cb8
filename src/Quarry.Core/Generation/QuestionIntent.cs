using System.Text.RegularExpressions;
using Quarry.Documents;
using Quarry.Tokenization;

namespace Quarry.Generation;

/// <summary>
/// Two intents read from a question's wording that change which passages answer it best: a definition ("what is X",
/// "what does X do") is answered by a sentence that defines X, best from the document about X; and only a question
/// about versions or changes is answered from release notes, which otherwise mention every feature in passing.
/// </summary>
internal sealed partial record QuestionIntent(HashSet<string>? Subject, bool AsksAboutChanges)
{
    public static QuestionIntent Parse(string question)
    {
        var q = question.Trim().ToLowerInvariant();
        var match = DefinitionCue().Match(q);
        HashSet<string>? subject = null;
        if (match.Success)
        {
            subject = EnglishTerms.ContentStems(match.Groups["x"].Value);
            if (subject.Count is 0 or > 4) subject = null; // "what is the best way to …" asks for a method, not a definition
        }
        return new QuestionIntent(subject, ChangeCue().IsMatch(q));
    }

    public bool IsDefinition => Subject is not null;

    /// <summary>How well a chunk's document is about the subject: the overlap of the subject with its title (or
    /// first heading), 1 when they are the same words, so "FastAPI" beats "FastAPI Cloud" for "what is FastAPI?".</summary>
    public double TitleMatch(Chunk chunk)
    {
        if (Subject is null) return 0;
        var best = Jaccard(EnglishTerms.ContentStems(chunk.Title));
        if (chunk.Section.Count > 0) best = Math.Max(best, Jaccard(EnglishTerms.ContentStems(chunk.Section[0])));
        return best;
    }

    private double Jaccard(HashSet<string> title)
    {
        if (title.Count == 0) return 0;
        var shared = title.Count(Subject!.Contains);
        return (double)shared / (title.Count + Subject!.Count - shared);
    }

    /// <summary>"X is …", "The X are …", "X lets you …": the sentence opens with the subject and nothing else of
    /// substance ("In X a scope is …" and "X with scopes is …" define something else) and a defining verb follows.</summary>
    public bool Defines(string sentence)
    {
        if (Subject is null) return false;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var position = 0;
        foreach (var word in EnglishTerms.Words(sentence))
        {
            if (position == 0 && Prepositions.Contains(word.Text)) return false;
            if (position++ > Subject.Count + 5) return false;
            if (DefiningVerbs.Contains(word.Text)) return seen.SetEquals(Subject);
            if (EnglishTerms.IsContent(word.Text)) seen.Add(EnglishTerms.Stem(word.Text));
        }
        return false;
    }

    /// <summary>Release notes and changelogs, by their title or section trail.</summary>
    public static bool IsChangeLog(Chunk chunk) => ChangeLogHeading().IsMatch(chunk.Title) || chunk.Section.Any(s => ChangeLogHeading().IsMatch(s));

    private static readonly HashSet<string> DefiningVerbs = new(StringComparer.Ordinal)
    {
        "is", "are", "was", "lets", "allows", "enables", "provides", "refers", "means", "helps", "gives",
    };

    private static readonly HashSet<string> Prepositions = new(StringComparer.Ordinal)
    {
        "in", "on", "for", "with", "when", "if", "to", "by", "from", "after", "before", "unlike", "like", "as", "since", "because",
    };

    [GeneratedRegex(@"^(?:so\s+)?(?:what(?:'s|’s| is| are| was| were)|what does|what do)\s+(?<x>.+?)(?:\s+(?:do|does|mean|for))?\s*\??$")]
    private static partial Regex DefinitionCue();

    [GeneratedRegex(@"\b(versions?|releases?|released|changelog|release notes|changes|changed|what's new|new in|deprecated|deprecation|upgrade|upgrading|migrat\w*|v?\d+\.\d+(\.\d+)?)\b")]
    private static partial Regex ChangeCue();

    [GeneratedRegex(@"\b(release notes|changelog|change log|changes|what's new|history of changes)\b|^v?\d+\.\d+(\.\d+)?\b", RegexOptions.IgnoreCase)]
    private static partial Regex ChangeLogHeading();
}
