using System.ComponentModel.DataAnnotations;

namespace Quarry.Embedding;

public sealed class ReindexOptions
{
    public const string SectionName = "Reindex";

    /// <summary>Chunks embedded and stored per step, each step in its own transaction: an interrupted re-embedding
    /// loses at most one step, and the embedding cache holds even that.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 256;

    /// <summary>How many times the switch is retried when chunks arrive while re-embedding; each retry embeds only them.</summary>
    [Range(1, 100)]
    public int SwitchAttempts { get; set; } = 3;
}
