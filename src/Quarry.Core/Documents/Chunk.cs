namespace Quarry.Documents;

/// <summary>
/// The unit that is indexed, retrieved and cited. <see cref="Span"/> locates the chunk in the document's normalized
/// text so that citations can point at exact characters; <see cref="Text"/> equals that span except that a table split
/// across chunks repeats its header row in front (see <see cref="HeaderPrefixLength"/>).
/// </summary>
public sealed record Chunk
{
    public required ChunkId Id { get; init; }
    public required TenantId TenantId { get; init; }
    public required KnowledgeBaseId KnowledgeBaseId { get; init; }
    public required DocumentId DocumentId { get; init; }
    public required int Version { get; init; }
    /// <summary>Position of the chunk in its document, from 0.</summary>
    public required int Ordinal { get; init; }
    public required string Text { get; init; }
    /// <summary>Number of leading characters of <see cref="Text"/> that repeat a table header and lie outside <see cref="Span"/>.</summary>
    public int HeaderPrefixLength { get; init; }
    public required string Title { get; init; }
    /// <summary>The heading trail from the document root to this chunk, outermost first.</summary>
    public IReadOnlyList<string> Section { get; init; } = [];
    public required string SourceUri { get; init; }
    public string? Language { get; init; }
    public IReadOnlyDictionary<string, string> Tags { get; init; } = EmptyTags.Instance;
    public required int TokenCount { get; init; }
    /// <summary>SHA-256 of <see cref="Text"/>; keys the embedding cache.</summary>
    public required string Checksum { get; init; }
    public required TextSpan Span { get; init; }
    /// <summary>First and last page (1-based) for paginated sources such as PDF.</summary>
    public int? PageStart { get; init; }
    public int? PageEnd { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }

    public string SectionPath => string.Join(" > ", Section);
}
