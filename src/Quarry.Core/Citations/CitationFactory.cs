using Quarry.Answering;
using Quarry.Documents;

namespace Quarry.Citations;

/// <summary>Turns a span of a chunk's text into a citation located in the document's normalized text.</summary>
internal static class CitationFactory
{
    /// <param name="start">Offset in <see cref="Chunk.Text"/>, at or after the repeated table header.</param>
    /// <param name="end">Exclusive end offset in <see cref="Chunk.Text"/>.</param>
    public static Citation Create(int n, Chunk chunk, int start, int end)
    {
        if (start < chunk.HeaderPrefixLength || end > chunk.Text.Length || end <= start)
            throw new ArgumentOutOfRangeException(nameof(start), $"[{start}, {end}) is not a quotable span of chunk {chunk.Id}.");
        var documentStart = chunk.Span.Start + (start - chunk.HeaderPrefixLength);
        return new Citation(
            n,
            chunk.DocumentId.Value,
            chunk.Id.Value,
            chunk.Title,
            chunk.SectionPath,
            chunk.SourceUri,
            chunk.PageStart,
            documentStart,
            documentStart + (end - start),
            chunk.Text[start..end]);
    }
}
