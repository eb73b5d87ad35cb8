namespace Quarry.Audit;

/// <summary>
/// One immutable audit record: an answered request (search, ask, chat completion) or an administrative event. Records
/// of a tenant form a chain: <see cref="Sequence"/> counts from 1 and <see cref="PrevHash"/> is the
/// <see cref="Hash"/> of the record before (<see cref="AuditChain"/>), so an edited or deleted record is detectable.
/// </summary>
public sealed record AuditRecord
{
    public required string Id { get; init; }
    public required string Tenant { get; init; }
    /// <summary>Position in the tenant's chain; 0 until the store appends it.</summary>
    public long Sequence { get; init; }
    /// <summary>Millisecond precision, so that every store reads back the value that was hashed.</summary>
    public required DateTimeOffset Time { get; init; }
    public string? KeyId { get; init; }
    /// <summary>The end user, once users exist; null today.</summary>
    public string? User { get; init; }
    /// <summary>The route (<see cref="AuditKinds"/>: search, ask, …) or the administrative event (key.created, …).</summary>
    public required string Route { get; init; }
    public IReadOnlyList<string> KnowledgeBases { get; init; } = [];
    /// <summary>What an administrative event acted on (the key id, knowledge base name, document id or session id), or
    /// the session an answered request was asked in.</summary>
    public string? Subject { get; init; }
    /// <summary>The question as configured: the text, <c>sha256:…</c>, or null.</summary>
    public string? Question { get; init; }
    public string? Filters { get; init; }
    public IReadOnlyList<AuditRetrieved> Retrieved { get; init; } = [];
    public IReadOnlyList<AuditCited> Cited { get; init; } = [];
    public string? Model { get; init; }
    public string? FallbackPath { get; init; }
    public bool? Grounded { get; init; }
    public bool? Abstained { get; init; }
    public string? AnswerText { get; init; }
    public double LatencyMs { get; init; }
    public int Status { get; init; }
    public string? TraceId { get; init; }
    public string PrevHash { get; init; } = "";
    public string Hash { get; init; } = "";
}

public sealed record AuditRetrieved(string ChunkId, string DocumentId, int Version);

public sealed record AuditCited(string ChunkId, string DocumentId, int Start, int End);

/// <summary>Where a tenant's chain ends: the last sequence and hash appended, even after retention deleted them.</summary>
public sealed record AuditChainHead(long Sequence, string Hash);

/// <summary>
/// Left by retention in place of the records it deleted: the sequence and hash of the last deleted record, signed
/// (HMAC-SHA256) so that verification can start from it and nobody without the key can move it.
/// </summary>
public sealed record AuditCheckpoint(string Tenant, long Sequence, string Hash, DateTimeOffset CreatedAt, string Signature);

/// <summary>A tenant's chain head and checkpoint, either absent when nothing was written or deleted.</summary>
public sealed record AuditChainState(AuditChainHead? Head, AuditCheckpoint? Checkpoint);

/// <summary>The route names of answered requests and administrative events.</summary>
public static class AuditKinds
{
    public const string KeyCreated = "key.created";
    public const string KeyRevoked = "key.revoked";
    public const string KnowledgeBaseCreated = "knowledge_base.created";
    public const string KnowledgeBaseDeleted = "knowledge_base.deleted";
    public const string KnowledgeBaseUpdated = "knowledge_base.updated";
    public const string DocumentDeleted = "document.deleted";
    public const string DocumentAccessChanged = "document.access_changed";
    /// <summary>A caller with the bypass role read past document access lists.</summary>
    public const string AccessBypassed = "access.bypassed";
    public const string SessionCreated = "session.created";
    public const string SessionDeleted = "session.deleted";
}
