using System.Security.Cryptography;
using System.Text;

namespace Quarry.Documents;

/// <summary>
/// Derives ids from identity rather than content, so that re-ingesting the same source finds the same document
/// (idempotency) and two writers racing on one source converge on one row.
/// </summary>
public static class DocumentIdentity
{
    public static DocumentId ForSource(TenantId tenant, KnowledgeBaseId knowledgeBase, string sourceUri)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourceUri);
        var key = $"{tenant.Value}\n{knowledgeBase.Value}\n{sourceUri}";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        return new DocumentId("doc_" + Convert.ToHexStringLower(hash.AsSpan(0, 12)));
    }

    public static ChunkId ForChunk(DocumentId document, int version, int ordinal) =>
        new($"{document.Value}_v{version}_c{ordinal}");

    /// <summary>Hex SHA-256 of raw bytes; the checksum that decides whether a re-ingest is a no-op.</summary>
    public static string Checksum(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));

    public static string Checksum(string text) => Checksum(Encoding.UTF8.GetBytes(text));
}
