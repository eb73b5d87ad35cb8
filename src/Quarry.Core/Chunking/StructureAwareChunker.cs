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
internal sealed class StructureAwareChunker
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

    /// <summary>A prose block as one unit when its sentences fit a chunk together, else sentence by sentence.</summary>
    private void AddProse(string text, Block block, List<Unit> units)
    {
        var span = block.Span;
        var sentences = CountSentences(text, span);
        var tokens = 0;
        foreach (var sentence in sentences) tokens += sentence.Tokens;
        if (tokens <= _maxTokens && span.Length <= _maxChars)
            units.Add(new Unit(span.Start, span.End, tokens, block.Page, UnitKind.Block));
        else
            SplitProse(text, span, block.Page, units, sentences);
    }

    /// <summary>The sentences of a prose block, as offsets in the document text, each with its token count.</summary>
    private List<(int Start, int End, int Tokens)> CountSentences(string text, TextSpan span)
    {
        var offsets = new List<(int Start, int End)>();
        SentenceSplitter.Split(text.AsSpan(span.Start, span.Length), offsets);
        var sentences = new List<(int Start, int End, int Tokens)>(offsets.Count);
        foreach (var (start, end) in offsets)
            sentences.Add((span.Start + start, span.Start + end, Count(text, span.Start + start, span.Start + end)));
        return sentences;
    }

    /// <summary>Sentences, and word windows for sentences that alone exceed a chunk.</summary>
    private void SplitProse(string text, TextSpan span, int? page, List<Unit> units, List<(int Start, int End, int Tokens)> sentences)
    {
        foreach (var (s, e, tokens) in sentences)
        {
            if (tokens <= _maxTokens && e - s <= _maxChars) units.Add(new Unit(s, e, tokens, page, UnitKind.Sentence));
            else SplitWords(text, s, e, _maxTokens, page, UnitKind.Sentence, prefix: null, 0, units);
        }
    }

    /// <summary>
    /// Splits an oversized table by rows. Every piece but the first repeats the header and separator lines as a text
    /// prefix, so each chunk is a readable table on its own.
    /// </summary>
    private void SplitTable(string text, TextSpan span, int? page, List<Unit> units)
    {
        var firstBreak = text.IndexOf('\n', span.Start, span.Length);
        var secondBreak = firstBreak < 0 ? -1 : text.IndexOf('\n', firstBreak + 1, span.End - firstBreak - 1);
        if (secondBreak < 0)
        {
            SplitLines(text, span.Start, span.End, _maxTokens, page, prefix: null, 0, units);
            return;
        }
        var prefix = text[span.Start..(secondBreak + 1)];
        var prefixTokens = _tokens.CountTokens(prefix);
        if (prefixTokens > _maxTokens / 2)
        {
            // A header this large would crowd out the rows: split by lines without repeating it.
            SplitLines(text, span.Start, span.End, _maxTokens, page, prefix: null, 0, units);
            return;
        }

        var first = units.Count;
        SplitLines(text, secondBreak + 1, span.End, _maxTokens - prefixTokens, page, prefix, prefixTokens, units);
        // The first piece reads the header from the table itself rather than from a prefix.
        var head = units[first];
        if (head.Start == secondBreak + 1 && head.Kind == UnitKind.Piece)
        {
            units[first] = head with { Start = span.Start, Prefix = null };
        }
        else
        {
            units.Insert(first, new Unit(span.Start, secondBreak, prefixTokens, page, UnitKind.Piece));
        }
    }

    /// <summary>Groups whole lines (table rows, code lines) into pieces; a line over the budget splits into words.</summary>
    private void SplitLines(string text, int start, int end, int budget, int? page, string? prefix, int prefixTokens, List<Unit> units)
    {
        var groupStart = -1;
        var groupEnd = -1;
        var groupTokens = 0;
        var lineStart = start;
        while (lineStart < end)
        {
            var newline = text.IndexOf('\n', lineStart, end - lineStart);
            var lineEnd = newline < 0 ? end : newline;
            var tokens = Count(text, lineStart, lineEnd);
            if (groupStart >= 0 && groupTokens + tokens > budget)
            {
                units.Add(new Unit(groupStart, groupEnd, prefixTokens + groupTokens, page, UnitKind.Piece, prefix));
                groupStart = -1;
                groupTokens = 0;
            }
            if (tokens > budget)
            {
                SplitWords(text, lineStart, lineEnd, budget, page, UnitKind.Piece, prefix, prefixTokens, units);
            }
            else if (lineEnd > lineStart)
            {
                if (groupStart < 0) groupStart = lineStart;
                groupEnd = lineEnd;
                groupTokens += tokens;
            }
            lineStart = lineEnd + 1;
        }
        if (groupStart >= 0) units.Add(new Unit(groupStart, groupEnd, prefixTokens + groupTokens, page, UnitKind.Piece, prefix));
    }

    /// <summary>Windows of whole words up to the budget; a single word over the budget is cut by characters.</summary>
    private void SplitWords(string text, int start, int end, int budget, int? page, UnitKind kind, string? prefix, int prefixTokens, List<Unit> units)
    {
        var windowStart = -1;
        var windowEnd = -1;
        var windowTokens = 0;
        var i = start;
        while (i < end)
        {
            while (i < end && char.IsWhiteSpace(text[i])) i++;
            if (i >= end) break;
            var wordStart = i;
            while (i < end && !char.IsWhiteSpace(text[i])) i++;
            var tokens = Count(text, wordStart, i);
            if (windowStart >= 0 && windowTokens + tokens > budget)
            {
                units.Add(new Unit(windowStart, windowEnd, prefixTokens + windowTokens, page, kind, prefix));
                windowStart = -1;
                windowTokens = 0;
            }
            if (tokens > budget || i - wordStart > _maxChars)
            {
                SplitCharacters(text, wordStart, i, budget, page, prefix, prefixTokens, units);
                continue;
            }
            if (windowStart < 0) windowStart = wordStart;
            windowEnd = i;
            windowTokens += tokens;
        }
        if (windowStart >= 0) units.Add(new Unit(windowStart, windowEnd, prefixTokens + windowTokens, page, kind, prefix));
    }

    /// <summary>
    /// Cuts a whitespace-free run (a data URI, minified code) into the longest slices within the budget. The cuts fall
    /// inside words, so each slice is counted as it stands and becomes a chunk of its own.
    /// </summary>
    private void SplitCharacters(string text, int start, int end, int budget, int? page, string? prefix, int prefixTokens, List<Unit> units)
    {
        while (start < end)
        {
            // Binary search for the longest slice within the budget; one character is always at most one token.
            // The window is capped so each probe counts a bounded slice: searching the whole remaining run made a
            // long data URI quadratic (minutes for one 1 MB file). Runs denser than 16 chars/token get shorter slices.
            int low = start + 1, high = (int)Math.Min(end, start + (long)budget * SliceCharsPerToken), best = start + 1;
            // A run the tokenizer barely splits (one repeated character) fits whole: one count instead of a search.
            if (Count(text, start, high) <= budget) low = (best = high) + 1;
            while (low <= high)
            {
                var mid = low + (high - low) / 2;
                if (Count(text, start, mid) <= budget) { best = mid; low = mid + 1; }
                else high = mid - 1;
            }
            if (best < end && char.IsLowSurrogate(text[best]) && best - 1 > start) best--;
            units.Add(new Unit(start, best, prefixTokens + Count(text, start, best), page, UnitKind.Fragment, prefix));
            start = best;
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
