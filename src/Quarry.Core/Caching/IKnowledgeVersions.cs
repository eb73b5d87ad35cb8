using Quarry.Documents;

namespace Quarry.Caching;

/// <summary>
/// The stores' per-knowledge-base version counters, bumped in the same transaction as every committed write that can
/// change an answer (document insert, replace, delete, vectors written, the active embedding model switched). Reading
/// them per request is what lets a cache be shared by processes without any invalidation messages.
/// </summary>
public interface IKnowledgeVersions
{
    /// <summary>A canonical string of (knowledge base, version) pairs; every knowledge base of the tenant when
    /// <paramref name="knowledgeBases"/> is empty (so creating one changes it too).</summary>
    Task<string> GetKnowledgeVersionAsync(TenantId tenant, IReadOnlyList<KnowledgeBaseId> knowledgeBases, CancellationToken cancellationToken);
}
