namespace Quarry.Embedding;

/// <summary>
/// Texts some embedding models expect before queries and documents (e5: "query: "/"passage: "; bge-*-en-v1.5 and
/// snowflake-arctic-embed: a retrieval instruction before queries only). A model trained with a prefix loses much of
/// its quality without it.
/// </summary>
public static class EmbeddingPrefixes
{
    /// <summary>Longest prefix an option accepts: prefixes are instructions, not documents.</summary>
    public const int MaxLength = 512;

    public const string RetrievalInstruction = "Represent this sentence for searching relevant passages: ";

    /// <summary>The prefixes the authors of well-known model families publish for retrieval, by model name.</summary>
    public static (string? Query, string? Document) Published(string modelName)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        var lower = modelName.ToLowerInvariant();
        if (lower.Contains("e5-", StringComparison.Ordinal)) return ("query: ", "passage: ");
        if (lower.Contains("nomic-embed-text", StringComparison.Ordinal)) return ("search_query: ", "search_document: ");
        if (lower.Contains("bge-", StringComparison.Ordinal) && lower.Contains("-en", StringComparison.Ordinal)) return (RetrievalInstruction, null);
        if (lower.Contains("arctic-embed", StringComparison.Ordinal))
            return lower.Contains("-v2", StringComparison.Ordinal) ? ("query: ", null) : (RetrievalInstruction, null);
        return (null, null);
    }

    /// <summary>Prepends the prefix of <paramref name="kind"/> to every text (the list itself when there is none).</summary>
    public static IReadOnlyList<string> Apply(IReadOnlyList<string> texts, EmbeddingKind kind, string? queryPrefix, string? documentPrefix)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var prefix = kind == EmbeddingKind.Query ? queryPrefix : documentPrefix;
        return string.IsNullOrEmpty(prefix) ? texts : [.. texts.Select(t => prefix + t)];
    }
}
