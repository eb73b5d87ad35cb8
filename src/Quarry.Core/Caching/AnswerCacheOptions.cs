using System.ComponentModel.DataAnnotations;

namespace Quarry.Caching;

/// <summary>
/// The answer cache (section <c>Cache</c>). L1 is in-process and on by default; L2 is shared (Redis when
/// <c>Cache:Redis:Configuration</c> is set, else PostgreSQL when that is the store); the semantic layer needs an
/// embedder. Every entry is keyed by the knowledge version, so TTLs bound memory, not staleness.
/// </summary>
public sealed class AnswerCacheOptions
{
    public const string SectionName = "Cache";

    public bool Enabled { get; set; } = true;

    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan L1Ttl { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Upper bound of the in-process layer, in (approximate, UTF-8) bytes of cached answers.</summary>
    [Range(1024, long.MaxValue)]
    public long L1SizeBytes { get; set; } = 64L * 1024 * 1024;

    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan L2Ttl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A shared layer slower than this is skipped for the request: a cache must never make answers slower.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10")]
    public TimeSpan L2Timeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Consecutive L2 failures (errors or timeouts) that open the circuit.</summary>
    [Range(1, 1000)]
    public int L2FailuresToBreak { get; set; } = 3;

    /// <summary>How long an open circuit skips L2 before one request tries it again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan L2BreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The semantic layer (needs an embedder; without one it is off and the start-up log says so).</summary>
    public bool Semantic { get; set; } = true;

    /// <summary>Cosine similarity at or above which an earlier question of the same scope counts as the same question.
    /// Calibrated on SQuAD (docs/CACHING.md): distinct questions about one paragraph must not meet it.</summary>
    [Range(0.5, 1.0)]
    public double SemanticThreshold { get; set; } = 0.97;

    /// <summary>Questions remembered per scope (tenant + knowledge bases + filters + version + model) for the semantic layer.</summary>
    [Range(1, 1_000_000)]
    public int SemanticEntriesPerScope { get; set; } = 2000;

    /// <summary>Search results are kept in this process too (keyed like answers, plus the query; no shared layer).</summary>
    public bool Search { get; set; } = true;

    /// <summary>Answers larger than this (serialized bytes) are not cached.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxEntryBytes { get; set; } = 256 * 1024;

    /// <summary>Tenants whose answers are never cached (e.g. ones that must see every change of a live model).</summary>
    public IList<string> DisabledTenants { get; } = [];
}
