namespace Quarry.Documents;

/// <summary>A stored document as readers see it: metadata of its current version.</summary>
public sealed record DocumentRecord
{
    public required DocumentId Id { get; init; }
    public required TenantId TenantId { get; init; }
    public required KnowledgeBaseId KnowledgeBaseId { get; init; }
    public required string Title { get; init; }
    public required string SourceUri { get; init; }
    public required string ContentType { get; init; }
    public required long SizeBytes { get; init; }
    /// <summary>SHA-256 of the source bytes of the current version.</summary>
    public required string Checksum { get; init; }
    /// <summary>1 for the first ingest, incremented by every changed re-ingest.</summary>
    public required int Version { get; init; }
    public string? Language { get; init; }
    public IReadOnlyDictionary<string, string> Tags { get; init; } = EmptyTags.Instance;
    public required int ChunkCount { get; init; }
    /// <summary>The document this one was extracted from (an email's attachment names its email); null for top-level documents.</summary>
    public DocumentId? ParentId { get; init; }
    /// <summary>Who may read it (<c>user:</c>/<c>group:</c> entries); empty: everyone of the knowledge base.</summary>
    public IReadOnlyList<string> Allow { get; init; } = [];
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>A past or current version of a document.</summary>
public sealed record DocumentVersionInfo(int Version, string Checksum, long SizeBytes, int ChunkCount, DateTimeOffset CreatedAt);

public static class EmptyTags
{
    public static IReadOnlyDictionary<string, string> Instance { get; } =
        new Dictionary<string, string>(StringComparer.Ordinal).AsReadOnly();
}
