using Quarry.Documents;

namespace Quarry.Retrieval;

/// <summary>
/// Restricts the candidates of every search before ranking. Stores translate it into their own query language
/// (SQL WHERE clauses, pre-filtered scans); results are never filtered after ranking.
/// </summary>
public sealed record SearchFilter
{
    public required TenantId Tenant { get; init; }
    /// <summary>Empty means every knowledge base of the tenant.</summary>
    public IReadOnlyList<KnowledgeBaseId> KnowledgeBases { get; init; } = [];
    public IReadOnlyList<DocumentId> Documents { get; init; } = [];
    /// <summary>Every pair must be present on the document.</summary>
    public IReadOnlyDictionary<string, string> TagsAll { get; init; } = EmptyTags.Instance;
    /// <summary>At least one pair must be present on the document (ignored when empty).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> TagsAny { get; init; } = [];
    /// <summary>Source URI prefix, e.g. a folder.</summary>
    public string? SourcePrefix { get; init; }
    public DateTimeOffset? UpdatedFrom { get; init; }
    public DateTimeOffset? UpdatedTo { get; init; }
    /// <summary>Documents with an access list are candidates only when the caller is on it.</summary>
    public Access.AccessScope Access { get; init; } = Quarry.Access.AccessScope.Everything;

    public static SearchFilter ForTenant(TenantId tenant) => new() { Tenant = tenant };
}
