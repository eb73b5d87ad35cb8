namespace Quarry.Diagnostics;

/// <summary>
/// What one answered request did, gathered as it runs: the edge opens it (<see cref="Begin"/>), the stages it passes
/// through add to it (retrieval, generation, caching), and at the end the same facts feed the request's metrics, its
/// summary log line and its audit record, so the three never disagree. It flows with the async context, so a stage
/// that runs outside a request (the CLI, ingestion) finds <see cref="Current"/> null and records nothing.
/// </summary>
public sealed class RequestFacts
{
    private static readonly AsyncLocal<RequestFacts?> Ambient = new();
    private readonly Lock _gate = new();
    private readonly List<RetrievedFact> _retrieved = [];
    private readonly List<CitedFact> _cited = [];

    public RequestFacts(string route) => Route = route;

    /// <summary>The request in flight on this async flow, or null.</summary>
    public static RequestFacts? Current => Ambient.Value;

    /// <summary>Opens the facts of a request for the current async flow; dispose the scope to close them.</summary>
    public static Scope Begin(RequestFacts facts)
    {
        var previous = Ambient.Value;
        Ambient.Value = facts;
        return new Scope(previous);
    }

    /// <summary>search, ask, ask_stream, chat_completions or chat_completions_stream.</summary>
    public string Route { get; set; }
    public string? Tenant { get; set; }
    public string? KeyId { get; set; }
    public IReadOnlyList<string> KnowledgeBases { get; set; } = [];
    /// <summary>The question or query as asked (the log hashes it; the audit stores it as configured).</summary>
    public string? Query { get; set; }
    /// <summary>The filters as the caller gave them, serialized, or null when none.</summary>
    public string? Filters { get; set; }
    /// <summary>keyword or hybrid.</summary>
    public string? RetrievalMode { get; set; }
    /// <summary>Candidates the searches produced before the final cut.</summary>
    public int CandidateCount { get; set; }
    /// <summary>The generating model, "extractive", or null when nothing generated (search).</summary>
    public string? Model { get; set; }
    public string? Provider { get; set; }
    /// <summary>The degraded path (failover, keyword-only, extractive fallback), or null.</summary>
    public string? FallbackPath { get; set; }
    public bool? Grounded { get; set; }
    public bool? Abstained { get; set; }
    public string? AnswerText { get; set; }
    public long PromptTokens { get; set; }
    public long CompletionTokens { get; set; }
    /// <summary>The cache layer that served the answer (memory, redis, postgres, semantic), or null for a miss.</summary>
    public string? CacheLayer { get; set; }
    /// <summary>The session the request belongs to (audited as the record's subject), or null.</summary>
    public string? SessionId { get; set; }

    /// <summary>Set by the edge when the request began.</summary>
    public DateTimeOffset StartedAt { get; set; }
    /// <summary>Set by the edge when the response is complete.</summary>
    public string? TraceId { get; set; }
    public int Status { get; set; }
    public double LatencyMs { get; set; }

    public IReadOnlyList<RetrievedFact> Retrieved
    {
        get { lock (_gate) return [.. _retrieved]; }
    }

    public IReadOnlyList<CitedFact> Cited
    {
        get { lock (_gate) return [.. _cited]; }
    }

    public void SetRetrieved(IEnumerable<RetrievedFact> retrieved)
    {
        lock (_gate)
        {
            _retrieved.Clear();
            _retrieved.AddRange(retrieved);
        }
    }

    public void SetCited(IEnumerable<CitedFact> cited)
    {
        lock (_gate)
        {
            _cited.Clear();
            _cited.AddRange(cited);
        }
    }

    public void AddTokens(long prompt, long completion)
    {
        lock (_gate)
        {
            PromptTokens += prompt;
            CompletionTokens += completion;
        }
    }

    public readonly struct Scope(RequestFacts? previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }
}

/// <summary>One chunk handed to the answerer (or returned by search), with the document version it came from.</summary>
public sealed record RetrievedFact(string ChunkId, string DocumentId, int Version, double Score);

/// <summary>One verified citation: the chunk and the character span of the document it quotes.</summary>
public sealed record CitedFact(string ChunkId, string DocumentId, int Start, int End);
