using System.Text;
using Microsoft.Extensions.Options;
using Quarry.Documents;
using Quarry.Parsing;

namespace Quarry.Privacy;

/// <summary>
/// Applies the privacy policy: which tenant and knowledge base mask, and masking itself — of a text, of a parsed
/// document before chunking (spans remapped, so citations stay exact against what is stored), and of a stream of
/// deltas (<see cref="StreamingPiiMasker"/>).
/// </summary>
public sealed class PrivacyMasker
{
    private readonly PrivacyOptions _options;
    private readonly PiiDetector _detector;
    private readonly PiiReplacement _replacement;
    private readonly bool _patternsSpanWords;

    internal PrivacyMasker(IOptions<PrivacyOptions> options, byte[] pseudonymKey)
    {
        _options = options.Value;
        _detector = new PiiDetector(_options);
        _replacement = new PiiReplacement(_options.Style, pseudonymKey);
        // A configured pattern that may match whitespace can join ordinary words into one value.
        _patternsSpanWords = _options.Patterns.Any(p => p.Pattern is { } pattern && (pattern.Contains(' ', StringComparison.Ordinal) || pattern.Contains(@"\s", StringComparison.Ordinal)));
    }

    public PrivacyMode ModeFor(TenantId tenant, string? knowledgeBase) => _options.ModeFor(tenant.Value, knowledgeBase);

    public bool MasksOutput(TenantId tenant) => _options.MasksOutput(tenant.Value);

    public IReadOnlyList<PiiMatch> Detect(string text) => _detector.Detect(text);

    public string Mask(string text, TenantId tenant)
    {
        ArgumentNullException.ThrowIfNull(text);
        var matches = _detector.Detect(text);
        return matches.Count == 0 ? text : Replace(text, matches, tenant.Value, out _);
    }

    /// <summary>The document as it may be stored under <see cref="PrivacyMode.MaskStored"/>: text, title and metadata
    /// masked, every block moved to where its text now is.</summary>
    public ParsedDocument MaskDocument(ParsedDocument document, TenantId tenant)
    {
        ArgumentNullException.ThrowIfNull(document);
        var matches = _detector.Detect(document.Text);
        var metadata = document.Metadata?.ToDictionary(kv => kv.Key, kv => Mask(kv.Value, tenant), StringComparer.Ordinal);
        var title = Mask(document.Title, tenant);
        if (matches.Count == 0) return document with { Title = title, Metadata = metadata };
        var text = Replace(document.Text, matches, tenant.Value, out var moves);
        var blocks = document.Blocks.Select(b => b with { Span = new TextSpan(moves.MapStart(b.Span.Start), Math.Max(moves.MapStart(b.Span.Start), moves.MapEnd(b.Span.End))) }).ToList();
        return document with { Title = title, Text = text, Blocks = blocks, Metadata = metadata };
    }

    public StreamingPiiMasker Stream(TenantId tenant) => new(this, tenant, _patternsSpanWords);

    private string Replace(string text, IReadOnlyList<PiiMatch> matches, string tenant, out SpanMoves moves)
    {
        var builder = new StringBuilder(text.Length);
        var replaced = new List<(int OldStart, int OldEnd, int NewStart, int NewEnd)>(matches.Count);
        var at = 0;
        foreach (var match in matches)
        {
            builder.Append(text, at, match.Start - at);
            var start = builder.Length;
            builder.Append(_replacement.For(match, tenant));
            replaced.Add((match.Start, match.End, start, builder.Length));
            at = match.End;
        }
        builder.Append(text, at, text.Length - at);
        moves = new SpanMoves(replaced);
        return builder.ToString();
    }

    /// <summary>Maps offsets of the original text to the masked one; an offset inside a replaced value snaps to the
    /// replacement's start (for starts) or end (for ends).</summary>
    private sealed class SpanMoves(List<(int OldStart, int OldEnd, int NewStart, int NewEnd)> replaced)
    {
        public int MapStart(int offset) => Map(offset, snapToEnd: false);

        public int MapEnd(int offset) => Map(offset, snapToEnd: true);

        private int Map(int offset, bool snapToEnd)
        {
            var shift = 0;
            foreach (var r in replaced)
            {
                if (offset <= r.OldStart) break;
                if (offset < r.OldEnd) return snapToEnd ? r.NewEnd : r.NewStart;
                shift = r.NewEnd - r.OldEnd;
            }
            return offset + shift;
        }
    }
}
