using Quarry.Documents;

namespace Quarry.Retrieval;

public sealed partial class Retriever
{
    /// <summary>The first chunks of a document (its opening, where documents say what they are about).</summary>
    internal async Task<IReadOnlyList<Chunk>> LeadChunksAsync(TenantId tenant, DocumentId document, int count, CancellationToken cancellationToken)
    {
        var chunks = await _store.GetChunksAsync(tenant, document, cancellationToken);
        return chunks.OrderBy(c => c.Ordinal).Take(count).ToList();
    }
}
