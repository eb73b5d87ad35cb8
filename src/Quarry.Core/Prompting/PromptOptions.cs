using System.ComponentModel.DataAnnotations;

namespace Quarry.Prompting;

public sealed class PromptOptions
{
    public const string SectionName = "Answering:Prompt";

    /// <summary>Tokens kept free in the context window for the model's answer.</summary>
    [Range(16, 32_000)]
    public int ReservedAnswerTokens { get; set; } = 800;

    /// <summary>Largest share of the remaining budget that conversation history may take; evidence gets the rest.</summary>
    [Range(0.0, 0.9)]
    public double MaxHistoryShare { get; set; } = 0.25;

    /// <summary>Longest single history turn kept verbatim, in tokens; longer turns are cut to this length.</summary>
    [Range(16, 32_000)]
    public int MaxTurnTokens { get; set; } = 300;
}
