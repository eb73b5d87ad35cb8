using System.ComponentModel.DataAnnotations;

namespace Quarry.Vectorizing;

/// <summary>The background stage that fills in the vectors of chunks stored without them (Ingestion:Vectors = Background).</summary>
public sealed class VectorizingOptions
{
    public const string SectionName = "Vectorizing";

    /// <summary>Chunks embedded and stored together: each batch is one embedder call and one store transaction, so a
    /// restart loses at most one batch and queries wait for the store at most one batch's write.</summary>
    [Range(1, 4096)]
    public int BatchSize { get; set; } = 64;

    /// <summary>Knowledge bases filled at once. One by default: the embedder already uses every core it is given, and
    /// queries need the rest.</summary>
    [Range(1, 16)]
    public int Concurrency { get; set; } = 1;

    /// <summary>Batches of one knowledge base before the next gets its turn, so a large upload does not hold up a small one.</summary>
    [Range(1, 100_000)]
    public int BatchesPerTurn { get; set; } = 16;

    /// <summary>How often the stage looks for missing vectors without being woken by an ingestion (another replica's
    /// ingestion, a restart, a knowledge base whose embedder was configured later).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The first wait after the embedder failed; it doubles on each further failure up to <see cref="MaxRetryDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);
}
