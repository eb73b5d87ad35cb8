using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Quarry.Diagnostics;

namespace Quarry.Server.Observability;

/// <summary>
/// The one line a request leaves in the log, with the fields an operator filters on. The question is hashed by
/// default (the same question gives the same hash, so repeats show without the text reaching the log).
/// </summary>
internal static partial class RequestSummary
{
    public const int EventId = 6100;

    public static void Write(ILogger logger, RequestFacts facts, QueryLogging queryLogging)
    {
        if (!logger.IsEnabled(LogLevel.Information)) return;
        var query = queryLogging switch
        {
            QueryLogging.Full => facts.Query,
            QueryLogging.Hash => Hash(facts.Query),
            _ => null,
        };
        Log(logger, facts.Route, facts.Status, Math.Round(facts.LatencyMs, 1), facts.Tenant, string.Join(",", facts.KnowledgeBases), query,
            facts.CandidateCount, facts.PromptTokens, facts.CompletionTokens, facts.Model ?? "none", facts.FallbackPath, facts.CacheLayer, facts.TraceId);
    }

    /// <summary>The first 16 hex digits of the SHA-256 of the question: enough to group repeats, too little to reverse.</summary>
    internal static string? Hash(string? query) =>
        query is null ? null : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(query)))[..16];

    // Field names are the documented log schema (snake_case), not C# style.
    [LoggerMessage(EventId = EventId, EventName = "Quarry.Request", Level = LogLevel.Information,
        Message = "{route} {status} in {latency_ms} ms tenant={tenant_id} kb={kb_id} query={query_hash} candidates={candidate_count} tokens={prompt_tokens}+{completion_tokens} model={model_name} fallback={fallback_path} cache={cache_layer} trace={trace_id}")]
    private static partial void Log(ILogger logger, string route, int status, double latency_ms, string? tenant_id, string kb_id, string? query_hash,
        int candidate_count, long prompt_tokens, long completion_tokens, string model_name, string? fallback_path, string? cache_layer, string? trace_id);
}
