using Quarry.Documents;

namespace Quarry.Audit;

/// <summary>Writes an administrative event at once, for a process with no background audit writer (the CLI): the
/// event is on the chain before the command reports success.</summary>
public static class AuditStoreExtensions
{
    /// <param name="actor">Who acted, for records without an API key (e.g. "cli:user@host").</param>
    public static Task RecordNowAsync(this IAuditStore store, TenantId tenant, string kind, string subject, string actor, TimeProvider time,
        CancellationToken cancellationToken, IReadOnlyList<string>? knowledgeBases = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        var record = AuditRecordMapper.FromEvent(new AuditEvent(tenant, kind, subject, actor, TraceId: null, knowledgeBases), time.GetUtcNow());
        return store.AppendAsync([record], cancellationToken);
    }
}
