using System.ComponentModel.DataAnnotations;

namespace Quarry.Answering;

public sealed class AnsweringOptions
{
    public const string SectionName = "Answering";

    /// <summary>Chunks retrieved as evidence for one question.</summary>
    [Range(1, 50)]
    public int EvidenceChunks { get; set; } = 6;

    /// <summary>Upper bound on a generated answer's length, in tokens (the prompt budget may lower it).</summary>
    [Range(16, 32_000)]
    public int MaxAnswerTokens { get; set; } = 800;
}
