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

    internal int OverlapTokens => (int)Math.Round(MaxTokens * Overlap);
}
