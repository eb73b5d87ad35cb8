using Quarry.Retrieval;

namespace Quarry.Indexing.Vectors;

/// <summary>
/// Evaluates a <see cref="SearchFilter"/> against one document's metadata. Shared by in-process indexes (exact now,
/// HNSW later) so that every index selects candidates the same way the stores do.
/// </summary>
internal static class SearchFilterEvaluator
{
    /// <remarks>Both ends of the updated-at range are inclusive; the source prefix and tags compare ordinally.</remarks>
    public static bool Matches(VectorDocument document, SearchFilter filter)
    {
        if (document.TenantId != filter.Tenant) return false;
        if (!filter.Access.Permits(document.Allow)) return false;
        if (filter.KnowledgeBases.Count > 0 && !Contains(filter.KnowledgeBases, document.KnowledgeBaseId)) return false;
        if (filter.Documents.Count > 0 && !Contains(filter.Documents, document.Id)) return false;
        if (filter.SourcePrefix is { Length: > 0 } prefix && !document.SourceUri.StartsWith(prefix, StringComparison.Ordinal)) return false;
        if (filter.UpdatedFrom is { } from && document.UpdatedAt < from) return false;
        if (filter.UpdatedTo is { } to && document.UpdatedAt > to) return false;
        foreach (var (key, value) in filter.TagsAll)
        {
            if (!HasTag(document, key, value)) return false;
        }
        if (filter.TagsAny.Count > 0)
        {
            var any = false;
            foreach (var (key, value) in filter.TagsAny)
            {
                if (HasTag(document, key, value)) { any = true; break; }
            }
            if (!any) return false;
        }
        return true;
    }

    /// <summary>Whether <see cref="Matches"/> admits every document of the filter's tenant (kept beside it so that a
    /// new filter field updates both).</summary>
    public static bool AdmitsWholeTenant(SearchFilter filter) =>
        filter.Access.Bypass && filter.KnowledgeBases.Count == 0 && filter.Documents.Count == 0 && filter.SourcePrefix is not { Length: > 0 }
        && filter.UpdatedFrom is null && filter.UpdatedTo is null && filter.TagsAll.Count == 0 && filter.TagsAny.Count == 0;

    private static bool HasTag(VectorDocument document, string key, string value) =>
        document.Tags.TryGetValue(key, out var actual) && string.Equals(actual, value, StringComparison.Ordinal);

    private static bool Contains<T>(IReadOnlyList<T> list, T item) where T : IEquatable<T>
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].Equals(item)) return true;
        }
        return false;
    }
}
