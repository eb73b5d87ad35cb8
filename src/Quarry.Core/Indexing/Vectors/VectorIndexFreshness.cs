namespace Quarry.Indexing.Vectors;

/// <summary>
/// For writes that narrow what a search may return (an access list changed): the in-process index applies the store's
/// change feed now rather than at its next refresh, so this process never serves the old list. Indexes that query the
/// store directly (pgvector) are always current and need nothing.
/// </summary>
public static class VectorIndexFreshness
{
    public static Task CatchUpAsync(IVectorIndex? index, CancellationToken cancellationToken) =>
        index is RefreshingVectorIndex refreshing ? refreshing.RefreshNowAsync(cancellationToken) : Task.CompletedTask;
}
