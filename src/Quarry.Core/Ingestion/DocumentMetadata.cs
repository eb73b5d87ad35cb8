using Quarry.Documents;

namespace Quarry.Ingestion;

internal static class DocumentMetadata
{
    /// <summary>The request's tags win over what the parser found: the caller knows its own taxonomy.</summary>
    public static IReadOnlyDictionary<string, string> MergeTags(IReadOnlyDictionary<string, string>? requested, IReadOnlyDictionary<string, string>? parsed)
    {
        if (parsed is null || parsed.Count == 0) return requested ?? EmptyTags.Instance;
        var merged = new Dictionary<string, string>(parsed, StringComparer.Ordinal);
        foreach (var (key, value) in requested ?? EmptyTags.Instance) merged[key] = value;
        return merged.AsReadOnly();
    }
}
