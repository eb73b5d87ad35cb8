using System.Text.Json.Serialization;

namespace Quarry.Generation;

/// <summary>
/// How well the evidence supports the best sentence the extractive answerer found, in figures that mean the same in
/// every knowledge base (shares of the question's own words, a cosine), so thresholds tuned on one corpus transfer.
/// </summary>
/// <param name="EvidenceCoverage">Share of the question's content terms the best evidence chunk (with its headings) holds.</param>
/// <param name="SentenceCoverage">IDF-weighted (within the evidence) share the best sentence holds, its context counting half.</param>
/// <param name="TermShare">Unweighted share the best sentence holds, its context (previous sentence, headings) counting half.</param>
/// <param name="NameCoverage">Share of the question's names and numbers ("Super Bowl 50", "NFL") found in the best
/// sentence's chunk or headings; 1 when the question has none.</param>
/// <param name="DenseSimilarity">Highest query–chunk cosine of the evidence when a dense model ran, else null.</param>
public sealed record AnswerSupport(double EvidenceCoverage, double SentenceCoverage, double TermShare, double NameCoverage, double? DenseSimilarity)
{
    /// <summary>Why these figures are too weak to answer from, or null when they are strong enough.</summary>
    internal string? AbstentionReason(ExtractiveAnswererOptions options)
    {
        if (EvidenceCoverage < options.MinimumEvidenceCoverage)
            return $"No evidence passage covers more than {EvidenceCoverage:P0} of the question's terms (at least {options.MinimumEvidenceCoverage:P0} needed).";
        if (DenseSimilarity is { } similarity && similarity < options.MinimumDenseSimilarity)
            return $"No evidence passage is close in meaning to the question (similarity {similarity:F2}, at least {options.MinimumDenseSimilarity:F2} needed).";
        if (NameCoverage < options.MinimumNameCoverage)
            return $"The closest passage holds {NameCoverage:P0} of the names and numbers in the question (at least {options.MinimumNameCoverage:P0} needed).";
        if (SentenceCoverage < options.MinimumQuestionCoverage)
            return $"The closest sentence covers {SentenceCoverage:P0} of the question's terms (at least {options.MinimumQuestionCoverage:P0} needed).";
        if (TermShare < options.MinimumSentenceTermShare)
            return $"The closest sentence holds {TermShare:P0} of the question's words (at least {options.MinimumSentenceTermShare:P0} needed).";
        return null;
    }
}
