using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Quarry.Answering;
using Quarry.Tokenization;

namespace Quarry.Citations;

/// <summary>
/// Checks a generated answer against the evidence it was given. Every [n] must name supplied evidence (others are
/// dropped); each cited sentence is mapped to the span of that evidence that supports it best (one unit or two
/// adjacent ones). A sentence whose citation does not support it is re-pointed to evidence that does, if any; a
/// factual sentence with no support anywhere is reported in <see cref="VerifiedAnswer.UnsupportedSentences"/>.
/// </summary>
internal sealed partial class CitationVerifier(IOptions<CitationOptions> options)
{
    // Sentences this short ("Yes.", "In short:") make no checkable claim.
    private const int MinimumClaimWords = 3;

    private readonly double _minimumSupport = options.Value.MinimumSupport;

    public VerifiedAnswer Verify(string answer, IReadOnlyList<SuppliedEvidence> evidence)
    {
        var byNumber = evidence.ToDictionary(e => e.N);
        var units = evidence.ToDictionary(e => e.N, e => Units(e));
        var citations = new List<Citation>();
        var unsupported = new List<string>();
        var dropped = new SortedSet<int>();
        var text = new StringBuilder(answer.Length);
        var copied = 0;

        foreach (var sentence in CitableSpans.Split(answer))
        {
            if (sentence.Kind == CitableSpans.Kind.Code) continue;
            var raw = answer[sentence.Start..sentence.End];
            var markers = Markers().Matches(raw).SelectMany(m => Numbers(m.Groups[1].Value)).Distinct().ToList();
            var claim = Markers().Replace(raw, "").Trim();
            var claimStems = EnglishTerms.ContentStems(claim);
            var cited = new List<int>();
            foreach (var n in markers)
            {
                if (!byNumber.ContainsKey(n)) { dropped.Add(n); continue; }
                if (claimStems.Count < MinimumClaimWords) { cited.Add(n); continue; }
                if (BestSupport(claimStems, units[n]) is { } span && span.Support >= _minimumSupport)
                {
                    citations.Add(CitationFactory.Create(n, byNumber[n].Chunk, span.Start, span.End));
                    cited.Add(n);
                }
            }

            var needsSupport = claimStems.Count >= MinimumClaimWords && cited.Count == 0;
            if (needsSupport)
            {
                // The model cited the wrong block or none: point the sentence at the block that does support it.
                var repair = evidence
                    .Select(e => (e.N, Span: BestSupport(claimStems, units[e.N])))
                    .Where(x => x.Span is { } s && s.Support >= _minimumSupport)
                    .OrderByDescending(x => x.Span!.Value.Support).FirstOrDefault();
                if (repair.Span is { } s)
                {
                    citations.Add(CitationFactory.Create(repair.N, byNumber[repair.N].Chunk, s.Start, s.End));
                    cited.Add(repair.N);
                }
                else
                {
                    unsupported.Add(claim);
                }
            }

            text.Append(answer, copied, sentence.Start - copied);
            text.Append(Markers().Replace(raw, "").TrimEnd());
            foreach (var n in cited.Distinct()) text.Append(" [").Append(n.ToString(CultureInfo.InvariantCulture)).Append(']');
            copied = sentence.End;
        }
        text.Append(answer, copied, answer.Length - copied);

        var distinct = citations.DistinctBy(c => (c.N, c.Start, c.End)).OrderBy(c => c.N).ThenBy(c => c.Start).ToList();
        return new VerifiedAnswer(text.ToString(), distinct, unsupported, dropped.ToList());
    }

    private static (int Start, int End, double Support)? BestSupport(HashSet<string> claim, List<(CitableSpans.Unit Unit, HashSet<string> Stems)> units)
    {
        (int, int, double)? best = null;
        for (var i = 0; i < units.Count; i++)
        {
            var single = Overlap(claim, units[i].Stems);
            Consider(units[i].Unit.Start, units[i].Unit.End, single);
            if (i + 1 < units.Count)
            {
                var pair = new HashSet<string>(units[i].Stems, StringComparer.Ordinal);
                pair.UnionWith(units[i + 1].Stems);
                // A pair must beat the better single unit clearly, or the quote grows for nothing.
                var pairScore = Overlap(claim, pair);
                if (pairScore > Math.Max(single, Overlap(claim, units[i + 1].Stems)) + 0.1)
                    Consider(units[i].Unit.Start, units[i + 1].Unit.End, pairScore);
            }
        }
        return best;

        void Consider(int start, int end, double score)
        {
            if (best is null || score > best.Value.Item3) best = (start, end, score);
        }
    }

    private static double Overlap(HashSet<string> claim, HashSet<string> unit) =>
        claim.Count == 0 ? 0 : (double)claim.Count(unit.Contains) / claim.Count;

    private static List<(CitableSpans.Unit Unit, HashSet<string> Stems)> Units(SuppliedEvidence e) =>
        CitableSpans.Split(e.Chunk.Text, e.Chunk.HeaderPrefixLength)
            .Select(u => (u, EnglishTerms.ContentStems(e.Chunk.Text[u.Start..u.End])))
            .ToList();

    private static IEnumerable<int> Numbers(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1)
            .Where(n => n > 0);

    // [3], [1, 2] and [1][2] (the last as two matches).
    [GeneratedRegex(@"\s*\[(\d+(?:\s*,\s*\d+)*)\]")]
    private static partial Regex Markers();
}
