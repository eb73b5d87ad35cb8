using Quarry.Documents;

namespace Quarry.Ingestion;

/// <summary>
/// Durable ingestion jobs: enqueued by the API, claimed by workers under a lease, finished exactly once.
/// A worker that dies stops renewing its lease; another worker claims the job when the lease expires.
/// </summary>
public interface IIngestionJobStore
{
    Task<IngestionJob> EnqueueAsync(NewIngestionJob job, CancellationToken cancellationToken);

    Task<IngestionJob?> GetAsync(TenantId tenant, JobId job, CancellationToken cancellationToken);

    Task<IReadOnlyList<IngestionJob>> ListAsync(TenantId tenant, JobStatus? status, int limit, CancellationToken cancellationToken);

    /// <summary>Claims the oldest queued job, or a running job whose lease expired, for <paramref name="workerId"/>.</summary>
    Task<IngestionJob?> ClaimNextAsync(string workerId, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>
    /// Claims fairly across tenants: only tenants with fewer than <paramref name="maxRunningPerTenant"/> jobs running
    /// (under an unexpired lease) are considered, and among them the tenant whose last claim is the oldest goes first
    /// (round robin); within a tenant, its oldest claimable job.
    /// </summary>
    Task<IngestionJob?> ClaimNextAsync(string workerId, TimeSpan lease, int maxRunningPerTenant, CancellationToken cancellationToken);

    /// <summary>Extends the lease and records progress; false when the worker no longer holds the lease.</summary>
    Task<bool> HeartbeatAsync(JobId job, string workerId, TimeSpan lease, JobProgress progress, CancellationToken cancellationToken);

    /// <summary>Moves a running job held by <paramref name="workerId"/> to a final state. Completing a job that is
    /// already final is a no-op that returns false.</summary>
    Task<bool> CompleteAsync(JobId job, string workerId, JobStatus status, string? error, CancellationToken cancellationToken);

    /// <summary>Payloads of every queued or running job of every tenant: what start-up housekeeping must not remove
    /// (e.g. upload files waiting for their job).</summary>
    Task<IReadOnlyList<string>> ListUnfinishedPayloadsAsync(CancellationToken cancellationToken);

    /// <summary>Cancels a queued or running job; false when it is already final or unknown.</summary>
    /// <remarks>Deleting a document or knowledge base cancels its jobs in the delete's own transaction, and a write
    /// made for a cancelled job is refused (<see cref="Storage.JobFencedException"/>): what was deleted stays deleted.</remarks>
    Task<bool> CancelAsync(TenantId tenant, JobId job, CancellationToken cancellationToken);
}

public readonly record struct JobId
{
    public JobId(string value) => Value = IdentifierRules.Require(value, nameof(JobId));
    public string Value { get; }
    public override string ToString() => Value;
}

public enum JobStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

public sealed record NewIngestionJob(TenantId TenantId, KnowledgeBaseId KnowledgeBaseId, DocumentId? DocumentId, string Payload);

public sealed record JobProgress(string Stage, int Done, int Total);

public sealed record IngestionJob
{
    public required JobId Id { get; init; }
    public required TenantId TenantId { get; init; }
    public required KnowledgeBaseId KnowledgeBaseId { get; init; }
    public DocumentId? DocumentId { get; init; }
    public required JobStatus Status { get; init; }
    /// <summary>Opaque to the store (JSON describing what to ingest).</summary>
    public required string Payload { get; init; }
    public JobProgress? Progress { get; init; }
    public int Attempts { get; init; }
    public string? Error { get; init; }
    public string? LeaseOwner { get; init; }
    public DateTimeOffset? LeaseExpiresAt { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}
