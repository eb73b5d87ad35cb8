using Npgsql;
using Quarry.Documents;

namespace Quarry.Storage.Postgres;

/// <summary>
/// Deletes that stay deleted. A delete cancels the jobs of what it deletes in its own transaction; a job's document
/// write first takes its job row FOR SHARE and commits only while the job is still live. Locks are always taken in the
/// order job rows, knowledge base row, document row, so a delete and a write wait for each other instead of deadlocking:
/// either the write commits first and the delete removes what it wrote, or the delete commits first and the write is
/// refused.
/// </summary>
internal sealed partial class PostgresStore
{
    private static async Task CheckFenceAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DocumentWrite write, CancellationToken cancellationToken)
    {
        if (write.Job is not { } job) return;
        await using var command = connection.Command("SELECT status FROM ingestion_jobs WHERE tenant_id = @tenant AND id = @id FOR SHARE;", transaction)
            .Arg("tenant", write.TenantId.Value).Arg("id", job.Value);
        var status = await command.ExecuteScalarAsync(cancellationToken) as string;
        if (status is not ("queued" or "running"))
            throw new JobFencedException($"Ingestion job '{job}' is {status ?? "gone"}: its document or knowledge base was deleted while it ran, so its result is discarded.");
    }

    private async Task CancelJobsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, TenantId tenant, string column, string id, string why, CancellationToken cancellationToken)
    {
        await using var cancel = connection.Command($"""
            UPDATE ingestion_jobs
            SET status = 'cancelled', error = @error, lease_owner = NULL, lease_expires_at = NULL, updated_at = @now
            WHERE tenant_id = @tenant AND {column} = @id AND status IN ('queued', 'running');
            """, transaction).Arg("error", "cancelled: " + why + ".").Arg("now", Now()).Arg("tenant", tenant.Value).Arg("id", id);
        await cancel.ExecuteNonQueryAsync(cancellationToken);
    }
}
