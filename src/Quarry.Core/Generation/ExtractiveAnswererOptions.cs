using System.ComponentModel.DataAnnotations;

namespace Quarry.Generation;

/// <summary>The built-in answerer that needs no model: it quotes the evidence sentences that best answer the question.</summary>
public sealed class ExtractiveAnswererOptions
{
    public const string SectionName = "Answering:Extractive";

    /// <summary>Share (IDF-weighted) of the question's content terms that at least one evidence chunk (with its headings)
    /// must contain; below it the answerer abstains: the knowledge base does not seem to be about the question.</summary>
    [Range(0.0, 1.0)]
    public double MinimumEvidenceCoverage { get; set; } = 0.55;

    /// <summary>Share (IDF-weighted) of the question's content terms the quoted sentence (its headings count half) must
    /// contain; below it the answerer abstains rather than quote loosely related text.</summary>
    [Range(0.0, 1.0)]
    public double MinimumQuestionCoverage { get; set; } = 0.1;

    /// <summary>Unweighted share of the question's content words the quoted sentence must hold (its previous sentence
    /// and headings count half). Unlike <see cref="MinimumQuestionCoverage"/> it does not depend on the evidence's word
    /// statistics, so it means the same in every knowledge base.</summary>
    [Range(0.0, 1.0)]
    public double MinimumSentenceTermShare { get; set; } = 0.45;

    /// <summary>Share of the question's names and numbers (capitalized words past the first, figures) the quoted
    /// sentence's passage must hold: a question about "Super Bowl 50" is not answered from a passage that never says so.
    /// Off by default: on squad-dev-a it cost more right answers than the term share for the same abstention.</summary>
    [Range(0.0, 1.0)]
    public double MinimumNameCoverage { get; set; } = 0.0;

    /// <summary>With a dense model, the highest query–passage cosine of the evidence below which the answerer
    /// abstains (the knowledge base is not about the question). Ignored when retrieval ran without vectors.</summary>
    [Range(-1.0, 1.0)]
    public double MinimumDenseSimilarity { get; set; } = -1.0;

    /// <summary>Most sentences quoted in one answer; a second one is added only when it covers question terms the first does not.</summary>
    [Range(1, 5)]
    public int MaxSentences { get; set; } = 2;

    /// <summary>Longest code block quoted after a sentence that introduces it ("…like this:"), in lines.</summary>
    [Range(0, 200)]
    public int MaxCodeLines { get; set; } = 20;
}
