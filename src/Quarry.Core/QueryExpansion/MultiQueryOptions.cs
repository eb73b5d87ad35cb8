using System.ComponentModel.DataAnnotations;

namespace Quarry.QueryExpansion;

/// <summary>
/// Multi-query retrieval (section <c>MultiQuery</c>): the chat model writes <see cref="Variants"/> rephrasings of the
/// question, each is retrieved in parallel with the question itself, and the lists are fused by reciprocal rank.
/// Off by default: it costs a model call before retrieval, and its gain could not be measured without a real model.
/// </summary>
public sealed class MultiQueryOptions
{
    public const string SectionName = "MultiQuery";

    /// <summary>Rephrasings to ask the model for; 0 turns multi-query off.</summary>
    [Range(0, 8)]
    public int Variants { get; set; }

    /// <summary>Weight of the question's own ranking in the fusion, against 1 for each variant: a rephrasing may drift
    /// from what was asked, so the question counts more.</summary>
    [Range(0.0, 10.0)]
    public double QuestionWeight { get; set; } = 2.0;

    [Range(16, 1024)]
    public int MaxOutputTokens { get; set; } = 160;

    /// <summary>How long the variants may take; past it the question is retrieved alone.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(3);
}
