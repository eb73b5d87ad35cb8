using Quarry.Documents;

namespace Quarry.Indexing;

/// <summary>
/// The documents whose chunks or vectors changed, in commit order, for indexes held in process memory: another process
/// (a CLI command, a server replica) may write to the same store, and an index applies what it missed instead of
/// waiting for a restart.
/// </summary>
public interface IIndexChangeFeed
{
    /// <summary>The sequence number of the newest change (0 when there is none): where a freshly loaded index starts.</summary>
    Task<long> GetHeadAsync(CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> changes with a sequence number above <paramref name="after"/>, oldest first.</summary>
    Task<IndexChangePage> ReadChangesAsync(long after, int limit, CancellationToken cancellationToken);
}

/// <summary>Something about the document changed (created, replaced, deleted, vectors added); read it again.</summary>
public sealed record IndexChange(long Sequence, TenantId TenantId, DocumentId DocumentId);

/// <param name="Truncated">Changes after the requested position are no longer kept (or the store was replaced): the
/// reader cannot catch up change by change and must rebuild from the store.</param>
public sealed record IndexChangePage(IReadOnlyList<IndexChange> Changes, long Head, bool Truncated);
