using System.ComponentModel.DataAnnotations;

namespace Quarry.Chunking;

public sealed class ChunkingOptions
{
    public const string SectionName = "Chunking";

    /// <summary>Largest chunk, in tokens of the configured <see cref="Tokenization.ITokenCounter"/>.</summary>
    [Range(100, 2000)]
    public int MaxTokens { get; set; } = 512;

    /// <summary>Share of <see cref="MaxTokens"/> repeated from the end of a chunk at the start of the next one
    /// when a section has to be split.</summary>
    [Range(0.0, 0.5)]
    public double Overlap { get; set; } = 0.15;

    /// <summary>Floor: a chunk smaller than this is merged with its neighbour (within <see cref="MaxTokens"/>) under the
    /// heading trail both share, so a file of many tiny sections does not become as many near-empty chunks. 0: off.</summary>
    [Range(0, 1000)]
    public int MinTokens { get; set; } = 8;

    /// <summary>Ceiling: a document that would produce more chunks than this is rejected as too large.</summary>
    [Range(1, int.MaxValue)]
    public int MaxChunksPerDocument { get; set; } = 20_000;

    internal int OverlapTokens => (int)Math.Round(MaxTokens * Overlap);
}
