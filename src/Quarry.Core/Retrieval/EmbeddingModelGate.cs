using Quarry.Documents;
using Quarry.Embedding;

namespace Quarry.Retrieval;

/// <summary>
/// Decides which knowledge bases vector search may look at for a query embedded by a given model: only those whose
/// active embedding model is that model. Vectors of two models are never compared, so a knowledge base on another
/// model (or with no vectors at all) is searched by keywords alone, and the reason names both models and the fix.
/// </summary>
internal static class EmbeddingModelGate
{
    /// <param name="Filter">The filter restricted to searchable knowledge bases, or null when none is.</param>
    /// <param name="Degraded">What vector search leaves out and why, or null when it covers everything.</param>
    public sealed record Decision(SearchFilter? Filter, string? Degraded);

    public static Decision Decide(SearchFilter filter, IReadOnlyList<KnowledgeBase> tenantKnowledgeBases, EmbeddingModel queryModel)
    {
        var scope = filter.KnowledgeBases.Count == 0
            ? tenantKnowledgeBases
            : tenantKnowledgeBases.Where(k => filter.KnowledgeBases.Contains(k.Id)).ToList();
        var searchable = scope.Where(k => Matches(k.EmbeddingModel, queryModel)).ToList();
        var notes = new List<string>();
        foreach (var kb in scope.Where(k => k.EmbeddingModel is not null && !Matches(k.EmbeddingModel, queryModel)))
        {
            notes.Add($"knowledge base '{kb.Name}' holds vectors of model {Describe(kb.EmbeddingModel!)} but queries are embedded with " +
                $"{Describe(queryModel)}; run 'quarry reindex --kb {kb.Name}' to re-embed it with {queryModel.Id}");
        }
        foreach (var kb in scope.Where(k => k.EmbeddingModel is null && k.DocumentCount > 0))
            notes.Add($"knowledge base '{kb.Name}' has no vectors; run 'quarry reindex --kb {kb.Name}' to embed it with {queryModel.Id}");
        foreach (var kb in searchable.Where(k => k.EmbeddingsIncomplete))
            notes.Add($"knowledge base '{kb.Name}' has chunks without vectors of {queryModel.Id}, which vector search misses until they are " +
                $"embedded (a server fills them in the background; otherwise run 'quarry reindex --kb {kb.Name}')");

        if (searchable.Count == 0)
            return new Decision(null, notes.Count > 0 ? "keyword-only: " + string.Join("; ", notes) : "keyword-only: no knowledge base in scope has vectors");
        var restricted = searchable.Count == scope.Count ? filter : filter with { KnowledgeBases = searchable.ConvertAll(k => k.Id) };
        return new Decision(restricted, notes.Count > 0 ? "partly keyword-only: " + string.Join("; ", notes) : null);
    }

    /// <remarks>An embedder that learns its dimension from its first response (0 until then) is matched by id.</remarks>
    private static bool Matches(EmbeddingModel? active, EmbeddingModel query) =>
        active is not null && active.Id == query.Id && (query.Dimension <= 0 || active.Dimension == query.Dimension);

    private static string Describe(EmbeddingModel model) => $"{model.Id} ({model.Dimension} dimensions)";
}
