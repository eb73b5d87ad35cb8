using System.ComponentModel.DataAnnotations;

namespace Quarry.Citations;

public sealed class CitationOptions
{
    public const string SectionName = "Answering:Citations";

    /// <summary>Share of an answer sentence's content words that a quoted evidence span must contain to count as support.</summary>
    [Range(0.1, 1.0)]
    public double MinimumSupport { get; set; } = 0.5;
}
