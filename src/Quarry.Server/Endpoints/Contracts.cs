using System.Text.Json;
using Quarry.Documents;
using Quarry.Ingestion;
using Quarry.Retrieval;

namespace Quarry.Server.Endpoints;

// Request and response bodies of the /v1 API. Field names are the API's contract (camelCase on the wire).

public sealed record CreateKnowledgeBaseRequest(string? Name, bool? Hidden = null);

public sealed record KnowledgeBaseResponse(string Id, string Name, int Documents, DateTimeOffset CreatedAt, bool Hidden)
{
    public static KnowledgeBaseResponse From(KnowledgeBase kb) => new(kb.Id.Value, kb.Name, kb.DocumentCount, kb.CreatedAt, kb.Hidden);
    public KnowledgeBaseVectors? Vectors { get; init; }
}

/// <summary>A JSON upload: the document's text (or, later, a URL to fetch) with its metadata.</summary>
public sealed record UploadTextRequest(
    string? Text,
    string? Url,
    string? Title,
    string? SourceUri,
    Dictionary<string, string>? Tags,
    string? FileName,
    string? ContentType,
    IReadOnlyList<string>? Allow = null);

/// <param name="Status">"queued" (202, a job was created) or "unchanged" (200, the same content is already stored).</param>
public sealed record UploadResponse(string? JobId, string DocumentId, string Status, string KnowledgeBase);

public sealed record DocumentResponse(
    string Id,
    string KnowledgeBase,
    string Title,
    string SourceUri,
    string ContentType,
    long SizeBytes,
    string Checksum,
    int Version,
    string? Language,
    IReadOnlyDictionary<string, string> Tags,
    int ChunkCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<string> Allow,
    string? ParentId = null)
{
    public static DocumentResponse From(DocumentRecord d, string knowledgeBase) => new(
        d.Id.Value, knowledgeBase, d.Title, d.SourceUri, d.ContentType, d.SizeBytes, d.Checksum, d.Version, d.Language,
        d.Tags, d.ChunkCount, d.CreatedAt, d.UpdatedAt, d.Allow, d.ParentId?.Value);
}

public sealed record DocumentPageResponse(int Total, int Offset, int Limit, IReadOnlyList<DocumentResponse> Items);

public sealed record DocumentDetailResponse(
    DocumentResponse Document,
    IReadOnlyList<VersionResponse> Versions,
    IReadOnlyList<ChunkResponse>? Chunks);

public sealed record VersionResponse(int Version, string Checksum, long SizeBytes, int ChunkCount, DateTimeOffset CreatedAt);

public sealed record ChunkResponse(string Id, int Ordinal, IReadOnlyList<string> Section, int Tokens, int Start, int End, int? PageStart, int? PageEnd, string Text)
{
    public static ChunkResponse From(Chunk c) =>
        new(c.Id.Value, c.Ordinal, c.Section, c.TokenCount, c.Span.Start, c.Span.End, c.PageStart, c.PageEnd, c.Text);
}

public sealed record JobResponse(
    string Id,
    JobStatus Status,
    string? KnowledgeBase,
    string? DocumentId,
    string? FileName,
    string? SourceUri,
    long? SizeBytes,
    string? Stage,
    JobProgressResponse Progress,
    double? EtaSeconds,
    int Attempts,
    // For a succeeded job: created, replaced or unchanged.
    string? Outcome,
    JobErrorResponse? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record JobProgressResponse(int Done, int Total);

/// <param name="Code">Stable reason (e.g. unsupported-type, empty, embedding-failed).</param>
public sealed record JobErrorResponse(string Code, string Message);

public sealed record JobListResponse(IReadOnlyList<JobResponse> Items);

/// <summary>Restrictions applied inside the store's query, before ranking.</summary>
public sealed record FilterRequest(
    IReadOnlyList<string>? Documents,
    Dictionary<string, string>? Tags,
    Dictionary<string, string[]>? AnyTags,
    string? SourcePrefix,
    DateTimeOffset? UpdatedAfter,
    DateTimeOffset? UpdatedBefore);

public sealed record SearchRequest(string? Query, string? KnowledgeBase, IReadOnlyList<string>? KnowledgeBases, int? TopK, FilterRequest? Filters);

/// <param name="Cache">Whether the results came from the search cache (layer "l1"), or why it was skipped.</param>
public sealed record SearchResponse(string Query, string Mode, string? Degraded, IReadOnlyList<SearchHit> Results, Quarry.Caching.AnswerCacheInfo? Cache = null);

public sealed record SearchHit(
    int Rank,
    double Score,
    string ChunkId,
    string DocumentId,
    string Title,
    IReadOnlyList<string> Section,
    string SourceUri,
    int? KeywordRank,
    int? VectorRank,
    int Start,
    int End,
    int? PageStart,
    int? PageEnd,
    string Text,
    IReadOnlyList<int[]> Highlights)
{
    public static SearchHit From(int rank, RetrievedChunk r, string query) => new(
        rank, Math.Round(r.Score, 6), r.Chunk.Id.Value, r.Chunk.DocumentId.Value, r.Chunk.Title, r.Chunk.Section,
        r.Chunk.SourceUri, r.KeywordRank, r.VectorRank, r.Chunk.Span.Start, r.Chunk.Span.End, r.Chunk.PageStart,
        r.Chunk.PageEnd, r.Chunk.Text, Highlighter.Find(r.Chunk.Text, query).Select(s => new[] { s.Start, s.End }).ToList());
}

public sealed record HistoryMessage(string? Role, string? Content);

public sealed record AskHttpRequest(
    string? Question,
    string? KnowledgeBase,
    IReadOnlyList<string>? KnowledgeBases,
    int? TopK,
    FilterRequest? Filters,
    IReadOnlyList<HistoryMessage>? History,
    string? Cache = null,
    string? Model = null,
    float? Temperature = null,
    int? MaxTokens = null,
    string? SessionId = null);

/// <summary>An OpenAI chat-completions request; <see cref="Model"/> names the knowledge base.</summary>
/// <param name="SessionId">Quarry's extension: the session the question belongs to (or the X-Session-Id header).</param>
public sealed record ChatCompletionRequest(
    string? Model,
    IReadOnlyList<ChatCompletionMessage>? Messages,
    bool? Stream,
    float? Temperature = null,
    [property: System.Text.Json.Serialization.JsonPropertyName("max_tokens")] int? MaxTokens = null,
    [property: System.Text.Json.Serialization.JsonPropertyName("max_completion_tokens")] int? MaxCompletionTokens = null,
    [property: System.Text.Json.Serialization.JsonPropertyName("stream_options")] ChatStreamOptions? StreamOptions = null,
    [property: System.Text.Json.Serialization.JsonPropertyName("session_id")] string? SessionId = null);

/// <summary>OpenAI's <c>stream_options</c>: with <c>include_usage</c> a last chunk carries the usage.</summary>
public sealed record ChatStreamOptions([property: System.Text.Json.Serialization.JsonPropertyName("include_usage")] bool? IncludeUsage);

/// <param name="Content">A string, or an array of parts of which the "text" ones are read.</param>
public sealed record ChatCompletionMessage(string? Role, JsonElement Content);

/// <param name="KnowledgeBases">Limit a reader or writer key to these knowledge bases (null: all of the tenant's).</param>
public sealed record CreateKeyRequest(string? Role, string? Name, IReadOnlyList<string>? KnowledgeBases, string? User = null, IReadOnlyList<string>? Groups = null);

public sealed record KeyResponse(string Id, string Tenant, string Role, string Name, string Prefix, IReadOnlyList<string>? KnowledgeBases, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, string? User = null, IReadOnlyList<string>? Groups = null);

/// <param name="Key">The key itself: shown once, stored only as a hash.</param>
public sealed record CreatedKeyResponse(string Key, KeyResponse Details);
