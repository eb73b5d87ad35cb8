using Quarry.Documents;

namespace Quarry.Parsing;

/// <summary>
/// What every parser produces: one normalized text (Markdown-flavoured: '#' headings, '- ' list items, pipe tables,
/// fenced code) and the structure laid over it as blocks. Chunk spans and citations index into <see cref="Text"/>.
/// </summary>
public sealed record ParsedDocument(string Title, string Text, IReadOnlyList<Block> Blocks)
{
    public string? Language { get; init; }
    /// <summary>Number of pages for paginated formats (PDF); null otherwise.</summary>
    public int? PageCount { get; init; }
    /// <summary>Facts the format states about itself (an email's sender, recipients, date), stored as document tags
    /// unless the ingest request sets the same key.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    /// <summary>Files the document carries (an email's attachments), ingested as child documents of this one.</summary>
    public IReadOnlyList<ParsedAttachment>? Attachments { get; init; }

    public string TextOf(Block block) => Text.Substring(block.Span.Start, block.Span.Length);
}

/// <summary>A file carried inside a document, still unparsed: the ingestor parses it as a document of its own.</summary>
/// <param name="Number">1-based position among the carrier's attachments, stable across re-ingests of the same file.</param>
public sealed record ParsedAttachment(int Number, string FileName, string? ContentType, byte[] Content);

public enum BlockKind
{
    Heading,
    Paragraph,
    ListItem,
    Table,
    Code,
    Quote,
}

/// <summary>A structural element of a document, located by its span in the normalized text.</summary>
/// <param name="Level">Heading level 1–6 for headings; nesting depth (0 = top) for list items; 0 otherwise.</param>
/// <param name="Page">1-based page the block starts on, for paginated formats.</param>
public sealed record Block(BlockKind Kind, TextSpan Span, int Level = 0, int? Page = null);
