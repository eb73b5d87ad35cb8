using System.Collections.Frozen;

namespace Quarry.Tokenization;

/// <summary>Function words dropped from keyword queries and ignored when matching questions to sentences (a short list:
/// BM25 and IDF weighting already discount common words).</summary>
public static class EnglishStopwords
{
    private static readonly FrozenSet<string> Words = new[]
    {
        "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "could", "did", "do", "does", "for",
        "from", "had", "has", "have", "how", "i", "if", "in", "into", "is", "it", "its", "me", "my", "no", "not", "of",
        "on", "or", "our", "should", "so", "such", "than", "that", "the", "their", "them", "then", "there", "these",
        "they", "this", "those", "to", "us", "was", "we", "were", "what", "when", "where", "which", "who", "whom", "why",
        "will", "with", "would", "you", "your",
    }.ToFrozenSet(StringComparer.Ordinal);

    public static bool Contains(string lowercaseWord) => Words.Contains(lowercaseWord);
}
