using System.Security.Cryptography;
using System.Text;
using Quarry.Diagnostics;

namespace Quarry.Audit;

/// <summary>Turns what a request did (<see cref="RequestFacts"/>) into its audit record, storing the question and
/// answer as configured.</summary>
internal static class AuditRecordMapper
{
    public static AuditRecord? FromFacts(RequestFacts facts, AuditOptions options, DateTimeOffset now)
    {
        // A request without a tenant (refused before authentication) has no chain to join.
        if (string.IsNullOrEmpty(facts.Tenant)) return null;
        return new AuditRecord
        {
            Id = NewId(),
            Tenant = facts.Tenant,
            Time = AuditChain.Truncate(facts.StartedAt == default ? now : facts.StartedAt),
            KeyId = facts.KeyId,
            Route = facts.Route,
            KnowledgeBases = [.. facts.KnowledgeBases],
            Question = Question(facts.Query, options.Question),
            Filters = AuditChain.Clean(facts.Filters),
            Subject = facts.SessionId,
            Retrieved = [.. facts.Retrieved.Select(r => new AuditRetrieved(r.ChunkId, r.DocumentId, r.Version))],
            Cited = [.. facts.Cited.Select(c => new AuditCited(c.ChunkId, c.DocumentId, c.Start, c.End))],
            Model = facts.Model,
            FallbackPath = facts.FallbackPath,
            Grounded = facts.Grounded,
            Abstained = facts.Abstained,
            AnswerText = options.Answer == AuditAnswerStorage.Full ? AuditChain.Clean(facts.AnswerText) : null,
            LatencyMs = Math.Round(facts.LatencyMs, 3),
            Status = facts.Status,
            TraceId = facts.TraceId,
        };
    }

    public static AuditRecord FromEvent(AuditEvent auditEvent, DateTimeOffset now) => new()
    {
        Id = NewId(),
        Tenant = auditEvent.Tenant.Value,
        Time = AuditChain.Truncate(now),
        KeyId = auditEvent.KeyId,
        Route = auditEvent.Kind,
        KnowledgeBases = auditEvent.KnowledgeBases ?? [],
        Subject = auditEvent.Subject,
        Status = 200,
        TraceId = auditEvent.TraceId,
    };

    public static string? Question(string? query, AuditQuestionStorage storage) => query is null ? null : storage switch
    {
        AuditQuestionStorage.Full => AuditChain.Clean(query),
        AuditQuestionStorage.Hashed => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(query))),
        _ => null,
    };

    private static string NewId() => "aud_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
}
