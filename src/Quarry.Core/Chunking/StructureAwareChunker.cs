// Placeholder until the chunker branch lands (it replaces this file).
using Microsoft.Extensions.Options;
using Quarry.Documents;
using Quarry.Parsing;
using Quarry.Tokenization;

namespace Quarry.Chunking;

internal sealed class StructureAwareChunker(IOptions<ChunkingOptions> options, ITokenCounter tokens)
{
    public ChunkingOptions Options { get; } = options.Value;

    public IReadOnlyList<ChunkContent> Chunk(ParsedDocument document) =>
        document.Blocks.Select(b => new ChunkContent
        {
            Text = document.TextOf(b),
            Span = b.Span,
            TokenCount = tokens.CountTokens(document.TextOf(b)),
        }).ToArray();
}
