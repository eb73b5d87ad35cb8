using Microsoft.Extensions.Options;
using Quarry.Diagnostics;
using Quarry.Documents;
using Quarry.Parsing;
using Quarry.Tokenization;

namespace Quarry.Chunking;

/// <summary>
/// Splits a parsed document into chunks of at most <see cref="ChunkingOptions.MaxTokens"/> tokens along its structure:
/// heading sections first, then whole blocks packed greedily, then sentences, then word windows. Tables and code stay
/// whole unless they alone are too large; then they split by rows (repeating the table header) or lines. When a
/// section needs several chunks, each one repeats whole trailing units of the previous one as overlap.
/// </summary>
/// <remarks>
/// Every chunk's text after its header prefix is one contiguous slice of the document text, and every cut falls on
/// whitespace (or a CJK full stop), so a chunk's token count is the sum of its units' counts. The one exception, a
/// whitespace-free run longer than a chunk, is cut by characters and kept in chunks of its own, counted exactly.
/// </remarks>
internal sealed partial class StructureAwareChunker
{
    private readonly ITokenCounter _tokens;
    private readonly int _maxTokens;
    private readonly int _overlapTokens;
    private readonly int _minTokens;
    private readonly int _maxChunks;
    private readonly int _maxChars;
    private const int SliceCharsPerToken = 16;
    // Prose longer than this many characters per token of a chunk is counted sentence by sentence from the start.
    private const int SentenceFirstCharsPerToken = 3;

    public StructureAwareChunker(IOptions<ChunkingOptions> options, ITokenCounter tokens)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tokens);
        _tokens = tokens;
        _maxTokens = options.Value.MaxTokens;
        _overlapTokens = options.Value.OverlapTokens;
        _minTokens = options.Value.MinTokens;
        _maxChunks = options.Value.MaxChunksPerDocument;
        // A run the tokenizer counts as few tokens (one repeated character) is still cut: no chunk is longer than this.
        _maxChars = _maxTokens * SliceCharsPerToken;
    }

    public IReadOnlyList<ChunkContent> Chunk(ParsedDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        using var stage = QuarryTelemetry.StartStage("chunk");
        var chunks = new List<ChunkContent>();
        var trail = new List<(int Level, string Title)>();
        var sectionBlocks = new List<Block>();
        string[] section = [];

        foreach (var block in document.Blocks)
        {
            if (block.Kind == BlockKind.Heading)
            {
                // A heading directly followed by a deeper one has no text of its own: it travels with its first
                // subsection (whose trail names it) instead of becoming a chunk that holds nothing but a title.
                var onlyHeadings = sectionBlocks.TrueForAll(b => b.Kind == BlockKind.Heading);
                var deeper = sectionBlocks.Count > 0 && block.Level > sectionBlocks[^1].Level;
                if (!(onlyHeadings && deeper))
                {
                    ChunkSection(document, sectionBlocks, section, chunks);
                    sectionBlocks.Clear();
                }
                while (trail.Count > 0 && trail[^1].Level >= block.Level) trail.RemoveAt(trail.Count - 1);
                trail.Add((block.Level, HeadingTitle(document.TextOf(block))));
                section = [.. trail.Select(t => t.Title)];
            }
            sectionBlocks.Add(block);
        }
        ChunkSection(document, sectionBlocks, section, chunks);
        if (_minTokens > 0) chunks = MergeSmall(document.Text, chunks);
        if (chunks.Count > _maxChunks)
            throw new DocumentRejectedException(RejectionReason.TooLarge,
                $"The document would produce {chunks.Count:N0} chunks; the limit is {_maxChunks:N0} (Chunking:MaxChunksPerDocument).");

        long tokens = 0;
        foreach (var chunk in chunks) tokens += chunk.TokenCount;
        QuarryTelemetry.TokensChunked.Add(tokens);
        stage.Activity?.SetTag("quarry.chunks", chunks.Count);
        stage.Activity?.SetTag("quarry.tokens", tokens);
        return chunks;
    }

    /// <summary>
    /// Merges chunks under <see cref="ChunkingOptions.MinTokens"/> with the next one when the two are adjacent in the
    /// text, carry no repeated prefix and fit one chunk together; the merged chunk keeps the heading trail both share.
    /// </summary>
    private List<ChunkContent> MergeSmall(string text, List<ChunkContent> chunks)
    {
        if (chunks.Count < 2) return chunks;
        var merged = new List<ChunkContent>(chunks.Count);
        var current = chunks[0];
        for (var i = 1; i < chunks.Count; i++)
        {
            if ((i & 0x3FF) == 0) ExtractionBudget.Current?.CheckTime();
            var next = chunks[i];
            var small = current.TokenCount < _minTokens || next.TokenCount < _minTokens;
            var adjacent = next.Span.Start >= current.Span.End && current.HeaderPrefixLength == 0 && next.HeaderPrefixLength == 0;
            if (small && adjacent && current.TokenCount + next.TokenCount <= _maxTokens
                && next.Span.End - current.Span.Start <= _maxChars)
            {
                // Chunks meet at block boundaries (whitespace), so the tokens of the two add up; recounting the growing
                // merged text at every step made a file of many tiny sections quadratic.
                var tokens = current.TokenCount + next.TokenCount;
                if (tokens <= _maxTokens)
                {
                    current = current with
                    {
                        Text = text[current.Span.Start..next.Span.End],
                        Span = new TextSpan(current.Span.Start, next.Span.End),
                        Section = CommonTrail(current.Section, next.Section),
                        TokenCount = tokens,
                        PageStart = Min(current.PageStart, next.PageStart),
                        PageEnd = Max(current.PageEnd, next.PageEnd),
                    };
                    continue;
                }
            }
            merged.Add(current);
            current = next;
        }
        merged.Add(current);
        return merged;
    }

    private static IReadOnlyList<string> CommonTrail(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var n = 0;
        while (n < a.Count && n < b.Count && a[n] == b[n]) n++;
        return n == a.Count ? a : n == b.Count ? b : a.Take(n).ToArray();
    }

    private static int? Min(int? a, int? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    private static int? Max(int? a, int? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    private static string HeadingTitle(string heading) => heading.TrimStart('#').Trim();

    private void ChunkSection(ParsedDocument document, List<Block> blocks, string[] section, List<ChunkContent> chunks)
    {
        if (blocks.Count == 0) return;
        var units = new List<Unit>();
        foreach (var block in blocks) AddUnits(document.Text, block, units);
        Pack(document.Text, units, section, chunks);
    }

    private void AddUnits(string text, Block block, List<Unit> units)
    {
        var span = block.Span;
        if (block.Kind is not (BlockKind.Table or BlockKind.Code) && span.Length > _maxTokens * SentenceFirstCharsPerToken)
        {
            // Prose this long rarely fits a chunk, and then it is cut into sentences anyway: counting the sentences
            // first counts its text once instead of twice (cuts fall on whitespace, so their counts add up to the block's).
            AddProse(text, block, units);
            return;
        }
        var tokens = Count(text, span.Start, span.End);
        if (tokens <= _maxTokens && span.End - span.Start <= _maxChars)
        {
            units.Add(new Unit(span.Start, span.End, tokens, block.Page, UnitKind.Block));
            return;
        }
        switch (block.Kind)
        {
            case BlockKind.Table:
                SplitTable(text, span, block.Page, units);
                break;
            case BlockKind.Code:
                SplitLines(text, span.Start, span.End, _maxTokens, block.Page, prefix: null, 0, units);
                break;
            default:
                SplitProse(text, span, block.Page, units, CountSentences(text, span));
                break;
        }
    }

    /// <summary>
    /// Packs units greedily into chunks. A chunk is flushed when the next unit does not fit; the next chunk then starts
    /// with whole trailing units of the flushed one (overlap), except around table/code pieces and fragments.
    /// </summary>
    private void Pack(string text, List<Unit> units, string[] section, List<ChunkContent> chunks)
    {
        var current = new List<Unit>();
        var tokens = 0;
        foreach (var unit in units)
        {
            var standalone = unit.Prefix is not null || unit.Kind == UnitKind.Fragment;
            if (current.Count > 0 && (standalone || current[^1].Kind == UnitKind.Fragment || tokens + unit.Tokens > _maxTokens))
            {
                chunks.Add(Emit(text, current, tokens, section));
                var keep = standalone ? current.Count : OverlapStart(current, Math.Min(_overlapTokens, _maxTokens - unit.Tokens));
                current.RemoveRange(0, keep);
                tokens = 0;
                foreach (var kept in current) tokens += kept.Tokens;
            }
            current.Add(unit);
            tokens += unit.Tokens;
        }
        if (current.Count > 0) chunks.Add(Emit(text, current, tokens, section));
    }

    /// <summary>Index of the first unit of the longest overlap-eligible tail of <paramref name="chunk"/> within the budget.</summary>
    private static int OverlapStart(List<Unit> chunk, int budget)
    {
        var start = chunk.Count;
        var total = 0;
        while (start > 0)
        {
            var unit = chunk[start - 1];
            if (unit.Kind is UnitKind.Piece or UnitKind.Fragment || unit.Prefix is not null) break;
            if (total + unit.Tokens > budget) break;
            total += unit.Tokens;
            start--;
        }
        return start;
    }

    private static ChunkContent Emit(string text, List<Unit> units, int tokens, string[] section)
    {
        var first = units[0];
        var last = units[^1];
        var prefix = first.Prefix ?? "";
        int? pageStart = null, pageEnd = null;
        foreach (var unit in units)
        {
            if (unit.Page is not { } page) continue;
            pageStart = pageStart is null ? page : Math.Min(pageStart.Value, page);
            pageEnd = pageEnd is null ? page : Math.Max(pageEnd.Value, page);
        }
        return new ChunkContent
        {
            Text = string.Concat(prefix, text.AsSpan(first.Start, last.End - first.Start)),
            Span = new TextSpan(first.Start, last.End),
            HeaderPrefixLength = prefix.Length,
            Section = section,
            TokenCount = tokens,
            PageStart = pageStart,
            PageEnd = pageEnd,
        };
    }

    private int Count(string text, int start, int end) => _tokens.CountTokens(text.AsSpan(start, end - start));

    private enum UnitKind
    {
        /// <summary>A whole block.</summary>
        Block,
        /// <summary>A sentence, or a word window of one, from a block too large for a chunk.</summary>
        Sentence,
        /// <summary>Rows or lines of a table or code block too large for a chunk: never repeated as overlap.</summary>
        Piece,
        /// <summary>A character slice of a whitespace-free run: always a chunk of its own.</summary>
        Fragment,
    }

    /// <param name="Tokens">Tokens of the unit's text, including <paramref name="Prefix"/> when there is one.</param>
    /// <param name="Prefix">Text placed before the unit when it starts a chunk (a repeated table header).</param>
    private readonly record struct Unit(int Start, int End, int Tokens, int? Page, UnitKind Kind, string? Prefix = null);
}
