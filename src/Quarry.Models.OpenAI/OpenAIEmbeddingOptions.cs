using System.ComponentModel.DataAnnotations;
using Quarry.Embedding;

namespace Quarry.Models.OpenAI;

/// <summary>An OpenAI-compatible <c>/embeddings</c> endpoint: OpenAI, Azure OpenAI (v1 API), Ollama, vLLM, TEI.</summary>
public sealed class OpenAIEmbeddingOptions
{
    public const string SectionName = "Models:Embeddings:OpenAI";

    /// <summary>Base URL the SDK appends <c>/embeddings</c> to, e.g. <c>https://api.openai.com/v1</c> or
    /// <c>http://localhost:11434/v1</c>.</summary>
    [Required]
    public Uri? Endpoint { get; set; } = new("https://api.openai.com/v1");

    /// <summary>Bearer key; leave empty for servers that take none (a placeholder is sent).</summary>
    public string? ApiKey { get; set; }

    [Required(AllowEmptyStrings = false)]
    public string Model { get; set; } = "text-embedding-3-small";

    /// <summary>Requested output dimension (models that support shortening, e.g. text-embedding-3-*). When unset the
    /// dimension is learnt from the first response.</summary>
    [Range(1, 65_536)]
    public int? Dimensions { get; set; }

    /// <summary>Text put before each query, e.g. "query: " for e5 models; "" for none. Default: the prefix the
    /// model's authors publish for retrieval when <see cref="Model"/> names a known family (e5, bge-*-en, nomic-embed-text,
    /// snowflake-arctic-embed), else none.</summary>
    [MaxLength(EmbeddingPrefixes.MaxLength)]
    public string? QueryPrefix { get; set; }

    /// <summary>Text put before each document chunk, e.g. "passage: " for e5 models; "" for none. Default as for
    /// <see cref="QueryPrefix"/>. A document prefix changes the stored vectors, so it is part of the model id.</summary>
    [MaxLength(EmbeddingPrefixes.MaxLength)]
    public string? DocumentPrefix { get; set; }

    /// <summary>Inputs per request.</summary>
    [Range(1, 2048)]
    public int BatchSize { get; set; } = 64;

    /// <summary>Requests in flight at once, across all callers of this embedder.</summary>
    [Range(1, 64)]
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>Timeout of one attempt (one HTTP request); retries get their own.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries after the first attempt, for 408/429/5xx, timeouts and connection failures.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 4;

    /// <summary>Base of the jittered exponential backoff, used when the server sends no <c>Retry-After</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait before a retry. A <c>Retry-After</c> asking for longer fails the call (as transient)
    /// rather than holding it.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);
}
