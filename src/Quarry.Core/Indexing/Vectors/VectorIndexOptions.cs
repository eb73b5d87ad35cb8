using System.ComponentModel.DataAnnotations;

namespace Quarry.Indexing.Vectors;

/// <summary>The in-process vector index holds the vectors of one embedding model and dimension.</summary>
public sealed class VectorIndexOptions
{
    public const string SectionName = "VectorIndex";

    /// <summary>The embedding model whose vectors the index holds; queries of other models are rejected.</summary>
    [Required]
    public string Model { get; set; } = "";

    [Range(1, 16384)]
    public int Dimension { get; set; }

    /// <summary>Keep an int8 copy of every vector and scan that first: a quarter of the memory traffic per query,
    /// at the cost of re-scoring <see cref="Oversample"/> × limit candidates exactly.</summary>
    public bool Quantize { get; set; }

    /// <summary>How many int8 candidates per requested result are re-scored in float32.</summary>
    [Range(1, 100)]
    public int Oversample { get; set; } = 4;

    /// <summary>Candidate count from which a search is split across cores; below it the fork/join costs more than it saves.</summary>
    [Range(1, int.MaxValue)]
    public int ParallelThreshold { get; set; } = 16_384;

    /// <summary>How often, at most, a search first applies what other processes changed in the store (the store's change
    /// feed); <see cref="TimeSpan.Zero"/> checks before every search, <see cref="Timeout.InfiniteTimeSpan"/> never
    /// (the index then follows only this process's own ingestion).</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Live vectors a tenant must hold before its searches use an approximate (HNSW) graph instead of the
    /// exact scan; a search whose filter admits fewer vectors than this still scans them exactly. Measured crossover on
    /// 384-dimension vectors: see docs/PERFORMANCE.md. <see cref="int.MaxValue"/> keeps every search exact.</summary>
    [Range(2, int.MaxValue)]
    public int ApproximateThreshold { get; set; } = 10_000;

    /// <summary>Links per node in the HNSW graph (twice as many on the bottom level): more raise recall and memory.</summary>
    [Range(4, 64)]
    public int HnswM { get; set; } = 16;

    /// <summary>Candidates considered when linking a new node: more build a better graph, more slowly.</summary>
    [Range(8, 2048)]
    public int HnswEfConstruction { get; set; } = 100;

    /// <summary>Candidates a search keeps (at least the requested limit, widened for selective filters): more raise recall and cost.</summary>
    [Range(8, 4096)]
    public int HnswEfSearch { get; set; } = 64;

    /// <summary>Seed of the graph's level draws, so that the same writes build the same graph.</summary>
    public int HnswSeed { get; set; } = 20;

    /// <summary>Share of removed rows that triggers compaction of the vector storage.</summary>
    [Range(0.01, 0.9)]
    public double CompactionThreshold { get; set; } = 0.25;
}
