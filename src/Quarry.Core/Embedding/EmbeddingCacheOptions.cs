using System.ComponentModel.DataAnnotations;

namespace Quarry.Embedding;

/// <summary>Section <c>EmbeddingCache</c>: the in-memory layer in front of the stored embedding cache, and the stored
/// table's bounds (its rows are only hashes and vectors, but a busy corpus would grow it without end).</summary>
public sealed class EmbeddingCacheOptions
{
    public const string SectionName = "EmbeddingCache";

    /// <summary>Vectors kept in memory (by text hash); 0 turns the memory layer off.</summary>
    [Range(0, 10_000_000)]
    public int MemoryEntries { get; set; } = 20_000;

    /// <summary>Rows kept in the stored table; the oldest go first. 0: no size bound.</summary>
    [Range(0, long.MaxValue)]
    public long MaxStoredRows { get; set; } = 2_000_000;

    /// <summary>Rows older than this are deleted. Zero: no age bound.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00")]
    public TimeSpan MaxStoredAge { get; set; } = TimeSpan.FromDays(180);

    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan EvictionInterval { get; set; } = TimeSpan.FromHours(1);
}
