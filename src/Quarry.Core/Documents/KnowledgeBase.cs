using Quarry.Embedding;

namespace Quarry.Documents;

/// <param name="EmbeddingModel">The model whose vectors vector search compares with queries for this knowledge base
/// (null until the first vectors are stored). Vectors of other models are never searched.</param>
/// <param name="EmbeddingsIncomplete">Some chunk has no vector of <paramref name="EmbeddingModel"/> (stored while no
/// embedder, or another model, was configured): vector search misses it until the knowledge base is re-embedded.</param>
/// <param name="Hidden">Left out of listings, pickers and /v1/models (evaluation corpora); still usable by name.</param>
public sealed record KnowledgeBase(
    KnowledgeBaseId Id,
    TenantId TenantId,
    string Name,
    DateTimeOffset CreatedAt,
    int DocumentCount = 0,
    EmbeddingModel? EmbeddingModel = null,
    bool EmbeddingsIncomplete = false,
    bool Hidden = false);

/// <summary>What to change on a knowledge base; null members stay as they are.</summary>
public sealed record KnowledgeBaseChange(string? Name = null, bool? Hidden = null);

public static class KnowledgeBaseNames
{
    public const string Default = "default";
    public const int MaxLength = 100;

    /// <summary>Names appear in URLs and CLI arguments: letters, digits, '-', '_' and '.'.</summary>
    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= MaxLength &&
        name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && name[0] != '.';
}
