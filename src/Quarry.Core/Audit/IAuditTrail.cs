using Quarry.Documents;

namespace Quarry.Audit;

/// <summary>Records administrative events (keys, knowledge bases, documents) into the audit trail. Like answered
/// requests, the record is queued and written off the request path.</summary>
public interface IAuditTrail
{
    void Record(AuditEvent auditEvent);
}

/// <param name="Kind">One of the administrative <see cref="AuditKinds"/>.</param>
/// <param name="Subject">The key id, knowledge base name or document id acted on.</param>
public sealed record AuditEvent(TenantId Tenant, string Kind, string Subject, string? KeyId, string? TraceId, IReadOnlyList<string>? KnowledgeBases = null);

/// <summary>Whether audit records are currently being written; the fail-closed gate reads it.</summary>
public interface IAuditStatus
{
    AuditFailureMode FailureMode { get; }

    /// <summary>True from a failed append (or a full queue) until the next append succeeds.</summary>
    bool IsFailing { get; }
}
