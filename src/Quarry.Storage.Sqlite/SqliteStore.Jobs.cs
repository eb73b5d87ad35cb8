using Microsoft.Data.Sqlite;
using Quarry.Documents;
using Quarry.Ingestion;

namespace Quarry.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    private const string JobColumns = """
        id, tenant_id, kb_id, doc_id, status, payload, stage, done, total, attempts, error, lease_owner,
        lease_expires_at, created_at, updated_at
        """;

    public async Task<IngestionJob> EnqueueAsync(NewIngestionJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(job.Payload);
        var id = NewId("job_");
        var at = UnixTime.ToMs(Now());
        return await _database.WriteAsync(async (connection, ct) =>
        {
            await using var insert = connection.Command($"""
                INSERT INTO ingestion_jobs (id, tenant_id, kb_id, doc_id, status, payload, attempts, created_at, updated_at)
                VALUES ($id, $tenant, $kb, $doc, 'queued', $payload, 0, $at, $at)
                RETURNING {JobColumns};
                """).With("$id", id).With("$tenant", job.TenantId.Value).With("$kb", job.KnowledgeBaseId.Value)
                .With("$doc", job.DocumentId?.Value).With("$payload", job.Payload).With("$at", at);
            return (await ReadJobAsync(insert, ct))!;
        }, cancellationToken);
    }

    public async Task<IngestionJob?> GetAsync(TenantId tenant, JobId job, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {JobColumns} FROM ingestion_jobs WHERE tenant_id = $tenant AND id = $id;")
            .With("$tenant", tenant.Value).With("$id", job.Value);
        return await ReadJobAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<IngestionJob>> ListAsync(TenantId tenant, JobStatus? status, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        await using var command = connection.Command($"""
            SELECT {JobColumns} FROM ingestion_jobs
            WHERE tenant_id = $tenant AND ($status IS NULL OR status = $status)
            ORDER BY created_at DESC, rowid DESC LIMIT $limit;
            """).With("$tenant", tenant.Value).With("$status", status is { } s ? JobStatusNames.ToName(s) : null).With("$limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var jobs = new List<IngestionJob>();
        while (await reader.ReadAsync(cancellationToken))
            jobs.Add(ReadJob(reader));
        return jobs;
    }

    public Task<IngestionJob?> ClaimNextAsync(string workerId, TimeSpan lease, CancellationToken cancellationToken) =>
        ClaimNextAsync(workerId, lease, int.MaxValue, cancellationToken);

    public async Task<IngestionJob?> ClaimNextAsync(string workerId, TimeSpan lease, int maxRunningPerTenant, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workerId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRunningPerTenant, 1);
        var now = UnixTime.ToMs(Now());
        // Select and update in one statement inside the write transaction: two claimers can never take one job, and
        // the per-tenant running count cannot change between the check and the claim (SQLite has one writer).
        return await _database.WriteAsync(async (connection, ct) =>
        {
            await using var claim = connection.Command($"""
                UPDATE ingestion_jobs
                SET status = 'running', lease_owner = $worker, lease_expires_at = $expires, attempts = attempts + 1,
                    error = NULL, updated_at = $now
                WHERE rowid = (
                    SELECT j.rowid FROM ingestion_jobs j
                    LEFT JOIN ingestion_tenant_turns t ON t.tenant_id = j.tenant_id
                    WHERE (j.status = 'queued' OR (j.status = 'running' AND j.lease_expires_at <= $now))
                      AND (SELECT count(*) FROM ingestion_jobs r
                           WHERE r.tenant_id = j.tenant_id AND r.status = 'running' AND r.lease_expires_at > $now) < $cap
                    ORDER BY coalesce(t.last_claim, 0), j.created_at, j.rowid LIMIT 1)
                RETURNING {JobColumns};
                """).With("$worker", workerId).With("$expires", now + (long)lease.TotalMilliseconds).With("$now", now)
                .With("$cap", maxRunningPerTenant);
            var job = await ReadJobAsync(claim, ct);
            if (job is not null)
            {
                await using var turn = connection.Command("""
                    INSERT INTO ingestion_tenant_turns (tenant_id, last_claim)
                    VALUES ($tenant, (SELECT coalesce(max(last_claim), 0) + 1 FROM ingestion_tenant_turns))
                    ON CONFLICT (tenant_id) DO UPDATE SET last_claim = excluded.last_claim;
                    """).With("$tenant", job.TenantId.Value);
                await turn.ExecuteNonQueryAsync(ct);
            }
            return job;
        }, cancellationToken);
    }

    public async Task<bool> HeartbeatAsync(JobId job, string workerId, TimeSpan lease, JobProgress progress, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workerId);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        var now = UnixTime.ToMs(Now());
        return await _database.WriteAsync(async (connection, ct) =>
        {
            await using var update = connection.Command("""
                UPDATE ingestion_jobs
                SET lease_expires_at = $expires, stage = $stage, done = $done, total = $total, updated_at = $now
                WHERE id = $id AND status = 'running' AND lease_owner = $worker;
                """).With("$expires", now + (long)lease.TotalMilliseconds).With("$stage", progress.Stage)
                .With("$done", progress.Done).With("$total", progress.Total).With("$now", now)
                .With("$id", job.Value).With("$worker", workerId);
            return await update.ExecuteNonQueryAsync(ct) > 0;
        }, cancellationToken);
    }

    public async Task<bool> CompleteAsync(JobId job, string workerId, JobStatus status, string? error, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workerId);
        if (status is JobStatus.Queued or JobStatus.Running)
            throw new ArgumentOutOfRangeException(nameof(status), status, "A job can only be completed with a final status.");
        var now = UnixTime.ToMs(Now());
        return await _database.WriteAsync(async (connection, ct) =>
        {
            await using var update = connection.Command("""
                UPDATE ingestion_jobs
                SET status = $status, error = $error, lease_owner = NULL, lease_expires_at = NULL, updated_at = $now
                WHERE id = $id AND status = 'running' AND lease_owner = $worker;
                """).With("$status", JobStatusNames.ToName(status)).With("$error", error).With("$now", now)
                .With("$id", job.Value).With("$worker", workerId);
            return await update.ExecuteNonQueryAsync(ct) > 0;
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> ListUnfinishedPayloadsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        await using var command = connection.Command("SELECT payload FROM ingestion_jobs WHERE status IN ('queued', 'running');");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var payloads = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
            payloads.Add(reader.GetString(0));
        return payloads;
    }

    public async Task<bool> CancelAsync(TenantId tenant, JobId job, CancellationToken cancellationToken)
    {
        var now = UnixTime.ToMs(Now());
        return await _database.WriteAsync(async (connection, ct) =>
        {
            // The worker notices through a failing heartbeat; its lease is dropped so nobody re-claims the job.
            await using var update = connection.Command("""
                UPDATE ingestion_jobs
                SET status = 'cancelled', lease_owner = NULL, lease_expires_at = NULL, updated_at = $now
                WHERE tenant_id = $tenant AND id = $id AND status IN ('queued', 'running');
                """).With("$now", now).With("$tenant", tenant.Value).With("$id", job.Value);
            return await update.ExecuteNonQueryAsync(ct) > 0;
        }, cancellationToken);
    }

    /// <summary>Part of a delete's transaction: queued jobs of what is deleted never start, and running ones are fenced
    /// (their heartbeat fails, and their document write is refused).</summary>
    private async Task CancelJobsAsync(SqliteConnection connection, TenantId tenant, string column, string id, string why, CancellationToken cancellationToken)
    {
        await using var cancel = connection.Command($"""
            UPDATE ingestion_jobs
            SET status = 'cancelled', error = $error, lease_owner = NULL, lease_expires_at = NULL, updated_at = $now
            WHERE tenant_id = $tenant AND {column} = $id AND status IN ('queued', 'running');
            """).With("$error", "cancelled: " + why + ".").With("$now", UnixTime.ToMs(Now()))
            .With("$tenant", tenant.Value).With("$id", id);
        await cancel.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<IngestionJob?> ReadJobAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadJob(reader) : null;
    }

    private static IngestionJob ReadJob(SqliteDataReader reader) => new()
    {
        Id = new JobId(reader.GetString(0)),
        TenantId = new TenantId(reader.GetString(1)),
        KnowledgeBaseId = new KnowledgeBaseId(reader.GetString(2)),
        DocumentId = reader.GetNullableString(3) is { } doc ? new DocumentId(doc) : null,
        Status = JobStatusNames.Parse(reader.GetString(4)),
        Payload = reader.GetString(5),
        Progress = reader.GetNullableString(6) is { } stage ? new JobProgress(stage, reader.GetNullableInt32(7) ?? 0, reader.GetNullableInt32(8) ?? 0) : null,
        Attempts = reader.GetInt32(9),
        Error = reader.GetNullableString(10),
        LeaseOwner = reader.GetNullableString(11),
        LeaseExpiresAt = reader.GetNullableInt64(12) is { } expires ? UnixTime.FromMs(expires) : null,
        CreatedAt = UnixTime.FromMs(reader.GetInt64(13)),
        UpdatedAt = UnixTime.FromMs(reader.GetInt64(14)),
    };
}
