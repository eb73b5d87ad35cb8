using Quarry.Answering;
using Quarry.Documents;
using Quarry.Retrieval;
using Quarry.Storage;

namespace Quarry.Intents;

/// <summary>
/// What a summary reads: the chunks of the document the subject names (found by retrieval, so access lists and
/// filters hold), or, for the knowledge base, the opening chunk of each document the caller may see.
/// </summary>
internal sealed class SummaryEvidence(Retriever retriever, IDocumentStore store)
{
    /// <returns>Evidence in reading order, numbered from 1, and the summarized document's title (null for a knowledge base).</returns>
    public async Task<(IReadOnlyList<SuppliedEvidence> Evidence, string? Title)> GatherAsync(string subject, SearchFilter filter, int maxChunks, CancellationToken cancellationToken)
    {
        if (subject.Length > 0 || filter.Documents.Count > 0)
        {
            DocumentId? document = filter.Documents.Count > 0 && subject.Length == 0 ? filter.Documents[0] : null;
            if (document is null)
            {
                var found = (await retriever.RetrieveAsync(new RetrievalRequest(subject, filter, 5), cancellationToken)).Chunks;
                if (found.Count > 0) document = found[0].Chunk.DocumentId;
            }
            if (document is not { } id) return ([], null);
            // A document named in the filter was not found by retrieval: check here what retrieval would have.
            var record = await store.GetDocumentAsync(filter.Tenant, id, cancellationToken);
            if (record is null || !filter.Access.Permits(record.Allow)
                || (filter.KnowledgeBases.Count > 0 && !filter.KnowledgeBases.Contains(record.KnowledgeBaseId))) return ([], null);
            var chunks = await store.GetChunksAsync(filter.Tenant, id, cancellationToken);
            if (chunks.Count == 0) return ([], null);
            return (Number(Spread(chunks.OrderBy(c => c.Ordinal).ToList(), maxChunks)), chunks[0].Title);
        }

        var knowledgeBases = filter.KnowledgeBases.Count > 0
            ? filter.KnowledgeBases
            : (await store.ListKnowledgeBasesAsync(filter.Tenant, cancellationToken)).Where(k => !k.Hidden).Select(k => k.Id).ToList();
        var openings = new List<Chunk>();
        foreach (var kb in knowledgeBases)
        {
            var page = await store.ListDocumentsAsync(new DocumentListQuery { Tenant = filter.Tenant, KnowledgeBase = kb, Limit = maxChunks }, cancellationToken);
            foreach (var document in page.Items.Where(d => d.ParentId is null && filter.Access.Permits(d.Allow)))
            {
                if (openings.Count >= maxChunks) break;
                var chunks = await store.GetChunksAsync(filter.Tenant, document.Id, cancellationToken);
                if (chunks.Count > 0) openings.Add(chunks.MinBy(c => c.Ordinal)!);
            }
        }
        return (Number(openings), null);
    }

    /// <summary>At most <paramref name="max"/> chunks, evenly spaced, first and last included.</summary>
    internal static List<T> Spread<T>(List<T> items, int max)
    {
        if (items.Count <= max) return items;
        return [.. Enumerable.Range(0, max).Select(i => items[(int)Math.Round(i * (items.Count - 1) / (double)(max - 1))]).Distinct()];
    }

    private static List<SuppliedEvidence> Number(IReadOnlyList<Chunk> chunks) => [.. chunks.Select((c, i) => new SuppliedEvidence(i + 1, c, 1.0))];
}
