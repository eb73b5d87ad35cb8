using System.Collections.Frozen;

namespace Quarry.Storage.Sqlite;

/// <summary>Function words dropped from keyword queries (a short list: BM25 already discounts common words).</summary>
internal static class EnglishStopwords
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
