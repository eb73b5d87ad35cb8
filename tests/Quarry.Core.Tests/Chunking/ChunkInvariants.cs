using Quarry.Documents;
using Quarry.Parsing;
using Quarry.Tokenization;

namespace Quarry.Core.Tests.Chunking;

/// <summary>What must hold for any document and any options.</summary>
internal static class ChunkInvariants
{
    /// <param name="merged">Tiny sections were merged (ChunkingOptions.MinTokens): a chunk may then span sections,
    /// and its trail must be the part every heading inside it shares.</param>
    public static void Check(ParsedDocument document, IReadOnlyList<ChunkContent> chunks, ITokenCounter tokens, int maxTokens, bool merged = false)
    {
        var label = document.Title;
        var previousStart = -1;
        foreach (var chunk in chunks)
        {
            chunk.Text[chunk.HeaderPrefixLength..].Should().Be(
                document.Text.Substring(chunk.Span.Start, chunk.Span.Length), "the text after the prefix is the span ({0})", label);
            chunk.TokenCount.Should().Be(tokens.CountTokens(chunk.Text), "TokenCount is the count of Text ({0})", label);
            chunk.TokenCount.Should().BeLessThanOrEqualTo(maxTokens, "no chunk exceeds MaxTokens ({0})", label);
            chunk.Text.Trim().Length.Should().BePositive();
            chunk.Span.Start.Should().BeGreaterThan(previousStart, "chunks are in document order ({0})", label);
            previousStart = chunk.Span.Start;
        }

        // Every non-whitespace character of every block is in some chunk.
        var covered = new bool[document.Text.Length];
        foreach (var chunk in chunks)
        {
            for (var i = chunk.Span.Start; i < chunk.Span.End; i++) covered[i] = true;
        }
        foreach (var block in document.Blocks)
        {
            for (var i = block.Span.Start; i < block.Span.End; i++)
            {
                if (!covered[i] && !char.IsWhiteSpace(document.Text[i]))
                {
                    throw new Xunit.Sdk.XunitException($"{label}: character {i} of a {block.Kind} block is in no chunk.");
                }
            }
        }

        // A chunk never spans two sections: no heading block lies inside a chunk after its start, except headings
        // of sections that hold nothing but a deeper heading (carried into their first subsection).
        foreach (var chunk in chunks)
        {
            var inner = document.Blocks
                .Where(b => b.Kind == BlockKind.Heading && b.Span.Start > chunk.Span.Start && b.Span.Start < chunk.Span.End)
                .ToList();
            if (merged && inner.Count > 0)
            {
                var titles = inner.Select(h => document.TextOf(h).TrimStart('#').Trim()).ToHashSet();
                chunk.Section.Should().NotContain(s => titles.Contains(s),
                    "{0}: a merged chunk keeps only the trail its sections share", label);
                continue;
            }
            foreach (var heading in inner)
            {
                var before = document.Blocks.Where(b => b.Span.End <= heading.Span.Start && b.Span.Start >= chunk.Span.Start);
                before.Should().OnlyContain(b => b.Kind == BlockKind.Heading, "{0}: a chunk crosses into a new section", label);
            }
        }
    }
}
