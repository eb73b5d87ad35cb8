using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Npgsql;
using Quarry.Documents;
using Quarry.Ingestion;

namespace Quarry.Storage.Postgres;

/// <summary>
/// The durable ingestion queue shared by every worker process: a claim takes the oldest claimable row with
/// <c>FOR UPDATE SKIP LOCKED</c>, so concurrent claimers never wait on each other nor take one job twice. A worker holds
/// its job under a lease it renews with heartbeats; a job whose lease expired is claimed again (attempts + 1), unless it
/// already used <see cref="PostgresStorageOptions.MaxJobAttempts"/> claims, in which case it is dead-lettered.
/// </summary>
internal sealed partial class PostgresJobQueue : IIngestionJobStore
{
    private const string JobColumns = """
        id, tenant_id, kb_id, doc_id, status, payload, stage, done, total, attempts, error, lease_owner,
        lease_expires_at, created_at, updated_at
        """;

    /// <summary>Advisory lock key that serializes claims (arbitrary, fixed: "quarry claim").</summary>
    private const long ClaimLockKey = 0x5155_4152_5259_434C;

    private readonly PostgresDatabase _database;
    private readonly TimeProvider _time;
    private readonly ILogger<PostgresJobQueue> _logger;

    public PostgresJobQueue(PostgresDatabase database, TimeProvider time, ILogger<PostgresJobQueue> logger)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(time);
        _database = database;
        _time = time;
        _logger = logger;
    }

    public async Task<IngestionJob> EnqueueAsync(NewIngestionJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(job.Payload);
        var id = "job_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var at = Now();
        return await _database.WriteAsync(async (connection, transaction, ct) =>
        {
            await using var insert = new NpgsqlCommand($"""
                INSERT INTO ingestion_jobs (id, tenant_id, kb_id, doc_id, status, payload, attempts, created_at, updated_at)
                VALUES (@id, @tenant, @kb, @doc, 'queued', @payload, 0, @at, @at)
                RETURNING {JobColumns};
                """, connection, transaction);
            insert.Parameters.AddWithValue("id", id);
            insert.Parameters.AddWithValue("tenant", job.TenantId.Value);
            insert.Parameters.AddWithValue("kb", job.KnowledgeBaseId.Value);
            insert.Parameters.Add(Text("doc", job.DocumentId?.Value));
            insert.Parameters.AddWithValue("payload", job.Payload);
            insert.Parameters.AddWithValue("at", at);
            return (await ReadJobAsync(insert, ct))!;
        }, cancellationToken);
    }

    public async Task<IngestionJob?> GetAsync(TenantId tenant, JobId job, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT {JobColumns} FROM ingestion_jobs WHERE tenant_id = @tenant AND id = @id;", connection);
        command.Parameters.AddWithValue("tenant", tenant.Value);
        command.Parameters.AddWithValue("id", job.Value);
        return await ReadJobAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<IngestionJob>> ListAsync(TenantId tenant, JobStatus? status, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"""
            SELECT {JobColumns} FROM ingestion_jobs
            WHERE tenant_id = @tenant AND (@status::text IS NULL OR status = @status::text)
            ORDER BY created_at DESC, seq DESC LIMIT @limit;
            """, connection);
        command.Parameters.AddWithValue("tenant", tenant.Value);
        command.Parameters.Add(Text("status", status is { } s ? JobStatusNames.ToName(s) : null));
        command.Parameters.AddWithValue("limit", limit);
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
        var now = Now();
        var maxAttempts = _database.Options.MaxJobAttempts;
        var (claimed, deadLettered) = await _database.WriteAsync(async (connection, transaction, ct) =>
        {
            // Claims take turns (a transaction-scoped advisory lock): the per-tenant running count read below cannot
            // be raced past the cap by a concurrent claimer, and the round-robin order is exact. A claim is two short
            // statements, so the queue still serves many workers.
            await using (var turnLock = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key);", connection, transaction))
            {
                turnLock.Parameters.AddWithValue("key", ClaimLockKey);
                await turnLock.ExecuteNonQueryAsync(ct);
            }

            // Expired jobs that used every attempt leave the queue first, so the claim below never picks them.
            await using var deadLetter = new NpgsqlCommand("""
                WITH dead AS (
                    SELECT id FROM ingestion_jobs
                    WHERE status = 'running' AND lease_expires_at <= @now AND attempts >= @max
                    FOR UPDATE SKIP LOCKED)
                UPDATE ingestion_jobs j
                SET status = 'failed', lease_owner = NULL, lease_expires_at = NULL, updated_at = @now,
                    error = 'Dead-lettered after ' || j.attempts || ' attempts: the worker holding the job stopped renewing its lease each time.'
                FROM dead WHERE j.id = dead.id
                RETURNING j.id, j.attempts;
                """, connection, transaction);
            deadLetter.Parameters.AddWithValue("now", now);
            deadLetter.Parameters.AddWithValue("max", maxAttempts);
            var dead = new List<(string Id, int Attempts)>();
            await using (var reader = await deadLetter.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                    dead.Add((reader.GetString(0), reader.GetInt32(1)));
            }

            // SKIP LOCKED: a row another claimer is taking right now is passed over instead of waited for.
            await using var claim = new NpgsqlCommand($"""
                UPDATE ingestion_jobs
                SET status = 'running', lease_owner = @worker, lease_expires_at = @expires, attempts = attempts + 1,
                    error = NULL, updated_at = @now
                WHERE id = (
                    SELECT j.id FROM ingestion_jobs j
                    LEFT JOIN ingestion_tenant_turns t ON t.tenant_id = j.tenant_id
                    WHERE (j.status = 'queued' OR (j.status = 'running' AND j.lease_expires_at <= @now AND j.attempts < @max))
                      AND (SELECT count(*) FROM ingestion_jobs r
                           WHERE r.tenant_id = j.tenant_id AND r.status = 'running' AND r.lease_expires_at > @now) < @cap
                    ORDER BY coalesce(t.last_claim, 0), j.created_at, j.seq LIMIT 1
                    FOR UPDATE OF j SKIP LOCKED)
                RETURNING {JobColumns};
                """, connection, transaction);
            claim.Parameters.AddWithValue("cap", maxRunningPerTenant);
            claim.Parameters.AddWithValue("worker", workerId);
            claim.Parameters.AddWithValue("expires", now + lease);
            claim.Parameters.AddWithValue("now", now);
            claim.Parameters.AddWithValue("max", maxAttempts);
            var job = await ReadJobAsync(claim, ct);
            if (job is not null)
            {
                await using var turn = new NpgsqlCommand("""
                    INSERT INTO ingestion_tenant_turns (tenant_id, last_claim)
                    VALUES (@tenant, (SELECT coalesce(max(last_claim), 0) + 1 FROM ingestion_tenant_turns))
                    ON CONFLICT (tenant_id) DO UPDATE SET last_claim = excluded.last_claim;
                    """, connection, transaction);
                turn.Parameters.AddWithValue("tenant", job.TenantId.Value);
                await turn.ExecuteNonQueryAsync(ct);
            }
            return (job, dead);
        }, cancellationToken);
        foreach (var (id, attempts) in deadLettered)
            LogDeadLettered(_logger, id, attempts);
        return claimed;
    }

    public async Task<bool> HeartbeatAsync(JobId job, string workerId, TimeSpan lease, JobProgress progress, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workerId);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        var now = Now();
        return await _database.WriteAsync(async (connection, transaction, ct) =>
        {
            await using var update = new NpgsqlCommand("""
                UPDATE ingestion_jobs
                SET lease_expires_at = @expires, stage = @stage, done = @done, total = @total, updated_at = @now
                WHERE id = @id AND status = 'running' AND lease_owner = @worker;
                """, connection, transaction);
            update.Parameters.AddWithValue("expires", now + lease);
            update.Parameters.AddWithValue("stage", progress.Stage);
            update.Parameters.AddWithValue("done", progress.Done);
            update.Parameters.AddWithValue("total", progress.Total);
            update.Parameters.AddWithValue("now", now);
            update.Parameters.AddWithValue("id", job.Value);
            update.Parameters.AddWithValue("worker", workerId);
            return await update.ExecuteNonQueryAsync(ct) > 0;
        }, cancellationToken);
    }

    public async Task<bool> CompleteAsync(JobId job, string workerId, JobStatus status, string? error, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workerId);
        if (status is JobStatus.Queued or JobStatus.Running)
            throw new ArgumentOutOfRangeException(nameof(status), status, "A job can only be completed with a final status.");
        var now = Now();
        // Only the current lease owner of a running job may finish it: a worker whose lease expired and was re-claimed
        // (or whose job was cancelled) gets false and its late result is dropped.
        return await _database.WriteAsync(async (connection, transaction, ct) =>
        {
            await using var update = new NpgsqlCommand("""
                UPDATE ingestion_jobs
                SET status = @status, error = @error, lease_owner = NULL, lease_expires_at = NULL, updated_at = @now
                WHERE id = @id AND status = 'running' AND lease_owner = @worker;
                """, connection, transaction);
            update.Parameters.AddWithValue("status", JobStatusNames.ToName(status));
            update.Parameters.Add(Text("error", error));
            update.Parameters.AddWithValue("now", now);
            update.Parameters.AddWithValue("id", job.Value);
            update.Parameters.AddWithValue("worker", workerId);
            return await update.ExecuteNonQueryAsync(ct) > 0;
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> ListUnfinishedPayloadsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT payload FROM ingestion_jobs WHERE status IN ('queued', 'running');", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var payloads = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
            payloads.Add(reader.GetString(0));
        return payloads;
    }

    public async Task<bool> CancelAsync(TenantId tenant, JobId job, CancellationToken cancellationToken)
    {
        var now = Now();
        return await _database.WriteAsync(async (connection, transaction, ct) =>
        {
            // The worker notices through a failing heartbeat; its lease is dropped so nobody re-claims the job.
            await using var update = new NpgsqlCommand("""
                UPDATE ingestion_jobs
                SET status = 'cancelled', lease_owner = NULL, lease_expires_at = NULL, updated_at = @now
                WHERE tenant_id = @tenant AND id = @id AND status IN ('queued', 'running');
                """, connection, transaction);
            update.Parameters.AddWithValue("now", now);
            update.Parameters.AddWithValue("tenant", tenant.Value);
            update.Parameters.AddWithValue("id", job.Value);
            return await update.ExecuteNonQueryAsync(ct) > 0;
        }, cancellationToken);
    }

    /// <summary>Now, truncated to PostgreSQL's microsecond precision so that values read back compare equal.</summary>
    private DateTimeOffset Now()
    {
        var now = _time.GetUtcNow().ToUniversalTime();
        return now.AddTicks(-(now.Ticks % 10));
    }

    private static NpgsqlParameter Text(string name, string? value) =>
        new(name, NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value };

    private static async Task<IngestionJob?> ReadJobAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadJob(reader) : null;
    }

    private static IngestionJob ReadJob(NpgsqlDataReader reader) => new()
    {
        Id = new JobId(reader.GetString(0)),
        TenantId = new TenantId(reader.GetString(1)),
        KnowledgeBaseId = new KnowledgeBaseId(reader.GetString(2)),
        DocumentId = reader.IsDBNull(3) ? null : new DocumentId(reader.GetString(3)),
        Status = JobStatusNames.Parse(reader.GetString(4)),
        Payload = reader.GetString(5),
        Progress = reader.IsDBNull(6) ? null : new JobProgress(
            reader.GetString(6), reader.IsDBNull(7) ? 0 : reader.GetInt32(7), reader.IsDBNull(8) ? 0 : reader.GetInt32(8)),
        Attempts = reader.GetInt32(9),
        Error = reader.IsDBNull(10) ? null : reader.GetString(10),
        LeaseOwner = reader.IsDBNull(11) ? null : reader.GetString(11),
        LeaseExpiresAt = reader.IsDBNull(12) ? null : reader.GetFieldValue<DateTimeOffset>(12),
        CreatedAt = reader.GetFieldValue<DateTimeOffset>(13),
        UpdatedAt = reader.GetFieldValue<DateTimeOffset>(14),
    };

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "Ingestion job {JobId} dead-lettered after {Attempts} attempts whose leases all expired")]
    private static partial void LogDeadLettered(ILogger logger, string jobId, int attempts);
}
