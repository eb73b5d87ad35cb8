using Quarry.Documents;
using Quarry.Parsing;

namespace Quarry.Chunking;

/// <summary>Cutting a block that does not fit a chunk into units that do: sentences, table rows, lines, words, characters.</summary>
internal sealed partial class StructureAwareChunker
{
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
}
