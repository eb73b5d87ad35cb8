using System.Text.RegularExpressions;

namespace Quarry.Privacy;

/// <summary>Runs the enabled recognizers and the configured patterns over a text and returns non-overlapping matches
/// in text order: where two overlap, the longer wins (a card number inside an IBAN is the IBAN), then the more specific
/// kind.</summary>
public sealed class PiiDetector
{
    private readonly PiiKind[] _kinds;
    private readonly (string Label, Regex Pattern)[] _custom;

    public PiiDetector(PrivacyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _kinds = [.. (options.Recognizers ?? Enum.GetValues<PiiKind>()).Distinct().Where(k => k != PiiKind.Custom)];
        _custom = [.. options.Patterns.Select(p => (p.Name.ToUpperInvariant(),
            new Regex(p.Pattern!, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(250))))];
    }

    public IReadOnlyList<PiiMatch> Detect(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0) return [];
        var candidates = new List<PiiMatch>();
        foreach (var kind in _kinds)
            candidates.AddRange(PiiRecognizers.Find(text, kind));
        foreach (var (label, pattern) in _custom)
        {
            foreach (Match m in pattern.Matches(text))
                if (m.Length > 0) candidates.Add(new PiiMatch(PiiKind.Custom, m.Index, m.Length, m.Value, label));
        }
        if (candidates.Count == 0) return [];
        candidates.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start)
            : a.Length != b.Length ? b.Length.CompareTo(a.Length)
            : Specificity(a.Kind).CompareTo(Specificity(b.Kind)));
        var kept = new List<PiiMatch>(candidates.Count);
        foreach (var candidate in candidates)
        {
            if (kept.Count > 0 && candidate.Start < kept[^1].End)
            {
                // Overlap: the longer one stays.
                if (candidate.Length <= kept[^1].Length) continue;
                kept.RemoveAt(kept.Count - 1);
                while (kept.Count > 0 && candidate.Start < kept[^1].End) kept.RemoveAt(kept.Count - 1);
            }
            kept.Add(candidate);
        }
        return kept;
    }

    private static int Specificity(PiiKind kind) => kind switch
    {
        PiiKind.Custom => 0,
        PiiKind.Email => 1,
        PiiKind.Iban => 2,
        PiiKind.PaymentCard => 3,
        PiiKind.NationalId => 4,
        PiiKind.IpAddress => 5,
        _ => 6,
    };
}
