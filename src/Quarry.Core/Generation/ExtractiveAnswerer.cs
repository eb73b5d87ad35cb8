using System.Text;
using Microsoft.Extensions.Options;
using Quarry.Answering;
using Quarry.Citations;
using Quarry.Tokenization;

namespace Quarry.Generation;

/// <summary>
/// Answers without a model by quoting the evidence sentences that best answer the question. A sentence scores by the
/// IDF-weighted share of the question's terms it contains (its headings and the sentence before it count half), how close together they are,
/// whether it holds the kind of value asked for ("how many" → a number) and the rank of its chunk. It abstains when no
/// sentence covers enough of the question, rather than quote loosely related text.
/// </summary>
internal sealed class ExtractiveAnswerer(IOptions<ExtractiveAnswererOptions> options)
{
    public const string ModelId = "extractive";
    public const string NotFound = "Not found in the knowledge base.";

    private const double ProximityWeight = 0.15;
    private const double AnswerKindWeight = 0.1;
    private const double RankWeight = 0.1;
    private const double ContextShare = 0.5;
    private const double SecondSentenceRelativeScore = 0.6;
    private const double SecondSentenceNewCoverage = 0.15;
    private const double DefinitionWeight = 0.3;
    private const double TitleMatchWeight = 0.2;
    private const double ChangeLogPenalty = 0.3;

    private readonly ExtractiveAnswererOptions _options = options.Value;

    public ExtractiveResult Answer(string question, IReadOnlyList<SuppliedEvidence> evidence)
    {
        if (evidence.Count == 0) return ExtractiveResult.Abstain("No evidence in the knowledge base matched the question.");
        var profile = QuestionProfile.Parse(question);
        var intent = QuestionIntent.Parse(question);
        if (profile.Terms.Count == 0) return ExtractiveResult.Abstain("The question has no words to look for.");

        var candidates = Candidates(evidence, profile);
        if (candidates.Count == 0) return ExtractiveResult.Abstain("The evidence has no quotable sentences.");
        var idf = InverseFrequencies(profile.Terms, candidates);
        var total = profile.Terms.Sum(t => idf[t]);
        foreach (var c in candidates) c.Rate(profile, intent, idf, total);

        var ranked = candidates.OrderByDescending(c => c.Score).ToList();
        var best = ranked[0];
        var support = new AnswerSupport(EvidenceCoverage(profile.Terms, candidates), best.Coverage, best.TermShare(profile.Terms),
            NameCoverage(QuestionNames.Of(question), best, candidates), evidence.Max(e => e.Similarity));
        if (support.AbstentionReason(_options) is { } reason) return ExtractiveResult.Abstain(reason) with { Support = support };

        var chosen = new List<Candidate> { best };
        var covered = new HashSet<string>(best.Matched, StringComparer.Ordinal);
        foreach (var c in ranked.Skip(1))
        {
            if (chosen.Count >= _options.MaxSentences || c.Score < best.Score * SecondSentenceRelativeScore) break;
            var gain = c.Matched.Where(t => !covered.Contains(t)).Sum(t => idf[t]) / total;
            if (gain < SecondSentenceNewCoverage) continue;
            chosen.Add(c);
            covered.UnionWith(c.Matched);
        }
        return Compose(chosen.OrderBy(c => c.Evidence.N).ThenBy(c => c.Unit.Start).ToList()) with { Support = support };
    }

    private ExtractiveResult Compose(IReadOnlyList<Candidate> chosen)
    {
        var text = new StringBuilder();
        var citations = new List<Citation>(chosen.Count);
        foreach (var c in chosen)
        {
            var chunk = c.Evidence.Chunk;
            var end = ExtendOverIntroducedCode(c);
            var sentence = chunk.Text[c.Unit.Start..c.Unit.End];
            if (text.Length > 0) text.Append(end > c.Unit.End ? "\n\n" : " ");
            text.Append(sentence).Append(" [").Append(c.Evidence.N).Append(']');
            if (end > c.Unit.End) text.Append("\n\n").Append(chunk.Text, c.CodeAfter!.Value.Start, end - c.CodeAfter.Value.Start);
            citations.Add(CitationFactory.Create(c.Evidence.N, chunk, c.Unit.Start, end));
        }
        return new ExtractiveResult(text.ToString(), citations, false, null);
    }

    // "…declare it like this:" followed by a code block: the code is the answer, so it is quoted too.
    private int ExtendOverIntroducedCode(Candidate c)
    {
        if (c.CodeAfter is not { } code || _options.MaxCodeLines == 0) return c.Unit.End;
        var lines = c.Evidence.Chunk.Text.AsSpan(code.Start, code.End - code.Start).Count('\n') + 1;
        return lines <= _options.MaxCodeLines ? code.End : c.Unit.End;
    }

    private static List<Candidate> Candidates(IReadOnlyList<SuppliedEvidence> evidence, QuestionProfile profile)
    {
        var candidates = new List<Candidate>();
        foreach (var e in evidence)
        {
            var text = e.Chunk.Text;
            var headings = EnglishTerms.ContentStems(e.Chunk.Title + " " + e.Chunk.SectionPath);
            var units = CitableSpans.Split(text, e.Chunk.HeaderPrefixLength);
            for (var i = 0; i < units.Count; i++)
            {
                if (units[i].Kind != CitableSpans.Kind.Sentence) continue;
                CitableSpans.Unit? code = null;
                if (i + 1 < units.Count && units[i + 1].Kind == CitableSpans.Kind.Code
                    && text.AsSpan(units[i].Start, units[i].End - units[i].Start).TrimEnd().EndsWith(':'))
                {
                    code = units[i + 1];
                }
                // What the previous sentence said is context too ("Super Bowl 50 was… The game was played at…").
                var context = headings;
                if (i > 0 && units[i - 1].Kind == CitableSpans.Kind.Sentence)
                {
                    context = new HashSet<string>(headings, StringComparer.Ordinal);
                    context.UnionWith(EnglishTerms.ContentStems(text[units[i - 1].Start..units[i - 1].End]));
                }
                candidates.Add(new Candidate(e, units[i], code, text[units[i].Start..units[i].End], headings, context));
            }
        }
        return candidates;
    }

    // The best share of the question any one evidence chunk (with its headings) holds: a question asked of the wrong
    // knowledge base finds chunks that share a word or two with it, never most of it.
    // Terms weigh the same here: IDF within the evidence would make the question's topic words, present everywhere in
    // the right knowledge base, count for little.
    private static double EvidenceCoverage(IReadOnlyList<string> terms, List<Candidate> candidates) =>
        candidates.GroupBy(c => c.Evidence.N).Max(chunk =>
            (double)terms.Count(t => chunk.Any(c => c.Positions.ContainsKey(t) || c.Headings.Contains(t))) / terms.Count);

    // Names and numbers are searched in the whole chunk of the best sentence: "Super Bowl 50" may be named once per passage.
    private static double NameCoverage(HashSet<string> names, Candidate best, List<Candidate> candidates)
    {
        if (names.Count == 0) return 1;
        var chunk = candidates.Where(c => c.Evidence.N == best.Evidence.N).ToList();
        return (double)names.Count(n => best.Headings.Contains(n) || chunk.Any(c => c.Positions.ContainsKey(n))) / names.Count;
    }

    private static Dictionary<string, double> InverseFrequencies(IReadOnlyList<string> terms, List<Candidate> candidates)
    {
        var n = candidates.Count;
        var idf = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var term in terms)
        {
            var df = candidates.Count(c => c.Positions.ContainsKey(term));
            idf[term] = Math.Log(1 + (n - df + 0.5) / (df + 0.5));
        }
        return idf;
    }

    private sealed class Candidate(SuppliedEvidence evidence, CitableSpans.Unit unit, CitableSpans.Unit? codeAfter, string text, HashSet<string> headings, HashSet<string> context)
    {
        public SuppliedEvidence Evidence { get; } = evidence;
        public CitableSpans.Unit Unit { get; } = unit;
        public CitableSpans.Unit? CodeAfter { get; } = codeAfter;
        public HashSet<string> Headings { get; } = headings;
        public Dictionary<string, List<int>> Positions { get; } = Index(text);
        public List<string> Matched { get; } = [];
        public double Coverage { get; private set; }
        public double Score { get; private set; }

        public void Rate(QuestionProfile profile, QuestionIntent intent, Dictionary<string, double> idf, double total)
        {
            double weight = 0;
            foreach (var term in profile.Terms)
            {
                if (Positions.ContainsKey(term))
                {
                    Matched.Add(term);
                    weight += idf[term];
                }
                else if (context.Contains(term))
                {
                    weight += ContextShare * idf[term];
                }
            }
            Coverage = total > 0 ? weight / total : 0;
            var answerKind = profile.HasCandidateAnswer(text) ? 1.0 : 0.0;
            Score = Coverage + ProximityWeight * Proximity() + AnswerKindWeight * answerKind + RankWeight / Math.Sqrt(Evidence.N)
                + IntentAdjustment(intent);
        }

        // A definition from the document about the subject beats a passing mention elsewhere; release notes mention
        // every feature in passing, so they answer only questions about versions and changes.
        /// <summary>Unweighted share of <paramref name="terms"/> this sentence holds, its context counting half.</summary>
        public double TermShare(IReadOnlyList<string> terms) =>
            terms.Count == 0 ? 0 : terms.Sum(t => Positions.ContainsKey(t) ? 1.0 : context.Contains(t) ? ContextShare : 0) / terms.Count;

        private double IntentAdjustment(QuestionIntent intent)
        {
            var adjustment = 0.0;
            if (intent.IsDefinition)
                adjustment += (intent.Defines(text) ? DefinitionWeight : 0) + TitleMatchWeight * intent.TitleMatch(Evidence.Chunk);
            if (!intent.AsksAboutChanges && QuestionIntent.IsChangeLog(Evidence.Chunk))
                adjustment -= ChangeLogPenalty;
            return adjustment;
        }

        // Distinct matched terms ÷ the shortest word window holding all of them: 1 when they stand side by side.
        private double Proximity()
        {
            if (Matched.Count < 2) return 0;
            var occurrences = Matched.SelectMany(t => Positions[t].Select(p => (Position: p, Term: t))).OrderBy(o => o.Position).ToList();
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            var best = int.MaxValue;
            var left = 0;
            for (var right = 0; right < occurrences.Count; right++)
            {
                counts[occurrences[right].Term] = counts.GetValueOrDefault(occurrences[right].Term) + 1;
                while (counts.Count == Matched.Count)
                {
                    best = Math.Min(best, occurrences[right].Position - occurrences[left].Position + 1);
                    var leftTerm = occurrences[left++].Term;
                    if (--counts[leftTerm] == 0) counts.Remove(leftTerm);
                }
            }
            return (double)Matched.Count / best;
        }

        private static Dictionary<string, List<int>> Index(string text)
        {
            var positions = new Dictionary<string, List<int>>(StringComparer.Ordinal);
            var i = 0;
            foreach (var word in EnglishTerms.Words(text))
            {
                if (EnglishTerms.IsContent(word.Text))
                {
                    var stem = EnglishTerms.Stem(word.Text);
                    if (!positions.TryGetValue(stem, out var list)) positions[stem] = list = [];
                    list.Add(i);
                }
                i++;
            }
            return positions;
        }
    }
}

internal sealed record ExtractiveResult(string Text, IReadOnlyList<Citation> Citations, bool Abstained, string? AbstentionReason)
{
    /// <summary>The figures the abstention was decided on (null when it never got that far).</summary>
    public AnswerSupport? Support { get; init; }

    public static ExtractiveResult Abstain(string reason) => new(ExtractiveAnswerer.NotFound, [], true, reason);
}
