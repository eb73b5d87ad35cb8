using Quarry.Documents;

namespace Quarry.Indexing.Vectors;

/// <summary>
/// What a vector index must know about a document to evaluate every <see cref="Retrieval.SearchFilter"/> field
/// without going back to the store.
/// </summary>
public sealed record VectorDocument(
    DocumentId Id,
    TenantId TenantId,
    KnowledgeBaseId KnowledgeBaseId,
    string SourceUri,
    IReadOnlyDictionary<string, string> Tags,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<string>? Allow = null)
{
    public static VectorDocument From(DocumentRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new(record.Id, record.TenantId, record.KnowledgeBaseId, record.SourceUri, record.Tags, record.UpdatedAt, record.Allow);
    }
}

/// <summary>One chunk vector to add or replace.</summary>
public sealed record VectorEntry(ChunkId ChunkId, VectorDocument Document, ReadOnlyMemory<float> Vector);
