using Quarry.Documents;

namespace Quarry.Audit;

/// <summary>
/// Walks a tenant's chain from its checkpoint (or from the first record) to its head: every sequence present, every
/// previous hash equal to the hash before it, every hash equal to the record's recomputed hash, and the last record
/// equal to the head the store keeps, so an edited, removed, inserted or truncated record is found.
/// </summary>
public static class AuditVerifier
{
    private const int PageSize = 1000;

    /// <param name="signer">Checks the checkpoint's signature; null skips that check (and says so).</param>
    public static async Task<AuditVerification> VerifyAsync(IAuditStore store, TenantId tenant, AuditCheckpointSigner? signer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var state = await store.GetChainStateAsync(tenant, cancellationToken);
        var checkpointChecked = false;
        if (state.Checkpoint is { } checkpoint && signer is not null)
        {
            if (!signer.IsValid(checkpoint))
                return AuditVerification.Broken(tenant, 0, null, checkpoint.Sequence, "the retention checkpoint's signature does not match (wrong key, or the checkpoint was altered)");
            checkpointChecked = true;
        }

        var expectedSequence = (state.Checkpoint?.Sequence ?? 0) + 1;
        var expectedPrev = state.Checkpoint?.Hash ?? AuditChain.Genesis;
        long count = 0;
        while (true)
        {
            var page = await store.ReadChainAsync(tenant, expectedSequence - 1, PageSize, cancellationToken);
            foreach (var record in page)
            {
                if (record.Sequence != expectedSequence)
                    return AuditVerification.Broken(tenant, count, record.Id, record.Sequence,
                        $"records {expectedSequence}–{record.Sequence - 1} before it are missing (deleted)");
                if (!string.Equals(record.PrevHash, expectedPrev, StringComparison.Ordinal))
                    return AuditVerification.Broken(tenant, count, record.Id, record.Sequence, "its previous hash does not match the record before it");
                if (!string.Equals(AuditChain.ComputeHash(record), record.Hash, StringComparison.Ordinal))
                    return AuditVerification.Broken(tenant, count, record.Id, record.Sequence, "its content does not match its hash (edited)");
                expectedPrev = record.Hash;
                expectedSequence++;
                count++;
            }
            if (page.Count < PageSize) break;
        }

        if (state.Head is { } head && (head.Sequence != expectedSequence - 1 || !string.Equals(head.Hash, expectedPrev, StringComparison.Ordinal)))
            return AuditVerification.Broken(tenant, count, null, expectedSequence,
                $"the chain ends at record {expectedSequence - 1} but its head is record {head.Sequence} (records at the end were deleted)");
        return new AuditVerification(tenant, true, count, null, null, null, state.Checkpoint is null || checkpointChecked);
    }
}

/// <param name="Checked">Records whose links were checked before the end or the break.</param>
/// <param name="CheckpointVerified">False when a checkpoint exists and no key was given to check it.</param>
public sealed record AuditVerification(TenantId Tenant, bool Ok, long Checked, string? BrokenId, long? BrokenSequence, string? Reason, bool CheckpointVerified)
{
    internal static AuditVerification Broken(TenantId tenant, long count, string? id, long sequence, string reason) =>
        new(tenant, false, count, id, sequence, reason, false);
}
