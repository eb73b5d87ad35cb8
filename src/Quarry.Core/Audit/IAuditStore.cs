using Quarry.Documents;

namespace Quarry.Audit;

/// <summary>
/// Where audit records are kept. Appending links each record into its tenant's chain inside the store's transaction,
/// serialized per tenant, so concurrent writers (threads or replicas) never fork a chain.
/// </summary>
public interface IAuditStore
{
    /// <summary>Appends the records (any tenants, in order) in one transaction, setting each one's sequence, previous
    /// hash and hash; returns them as stored.</summary>
    Task<IReadOnlyList<AuditRecord>> AppendAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken);

    /// <summary>One tenant's records, newest first, one page at a time.</summary>
    Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken);

    Task<AuditRecord?> GetAsync(TenantId tenant, string id, CancellationToken cancellationToken);

    /// <summary>The tenant's records with a sequence above <paramref name="afterSequence"/>, in chain order.</summary>
    Task<IReadOnlyList<AuditRecord>> ReadChainAsync(TenantId tenant, long afterSequence, int limit, CancellationToken cancellationToken);

    Task<AuditChainState> GetChainStateAsync(TenantId tenant, CancellationToken cancellationToken);

    /// <summary>Tenants that have a chain.</summary>
    Task<IReadOnlyList<TenantId>> ListTenantsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the longest prefix of the tenant's chain whose records are all older than <paramref name="before"/>,
    /// and in the same transaction replaces the tenant's checkpoint with the last deleted record (signed by
    /// <paramref name="sign"/>). Returns the number of records deleted.
    /// </summary>
    Task<int> PurgeAsync(TenantId tenant, DateTimeOffset before, Func<AuditCheckpoint, string> sign, CancellationToken cancellationToken);
}

/// <param name="Before">The cursor: only records with a lower sequence (the previous page's last one).</param>
public sealed record AuditQuery(
    TenantId Tenant,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    string? Route = null,
    string? KeyId = null,
    string? DocumentId = null,
    int Limit = 50,
    long? Before = null);

/// <param name="Next">The cursor for the next page, or null on the last page.</param>
public sealed record AuditPage(IReadOnlyList<AuditRecord> Items, long? Next)
{
    /// <summary>A page from a read of <paramref name="limit"/> + 1 records, newest first: the extra one only says
    /// that another page follows, which starts below the last record kept.</summary>
    public static AuditPage FromOneMore(List<AuditRecord> items, int limit)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count <= limit) return new AuditPage(items, null);
        items.RemoveRange(limit, items.Count - limit);
        return new AuditPage(items, items[^1].Sequence);
    }
}
