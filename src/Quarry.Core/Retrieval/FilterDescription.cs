using System.Text.Json;
using System.Text.Json.Serialization;

namespace Quarry.Retrieval;

/// <summary>The restricting part of a <see cref="SearchFilter"/> as compact JSON (tenant and knowledge bases are
/// recorded apart), or null when the request set no filter.</summary>
internal static class FilterDescription
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string? Of(SearchFilter filter)
    {
        var described = new Described(
            filter.Documents.Count > 0 ? [.. filter.Documents.Select(d => d.Value)] : null,
            filter.TagsAll.Count > 0 ? new SortedDictionary<string, string>(filter.TagsAll.ToDictionary(), StringComparer.Ordinal) : null,
            filter.TagsAny.Count > 0 ? [.. filter.TagsAny.Select(p => p.Key + "=" + p.Value)] : null,
            filter.SourcePrefix,
            filter.UpdatedFrom,
            filter.UpdatedTo);
        return described == Empty ? null : JsonSerializer.Serialize(described, Json);
    }

    private static readonly Described Empty = new(null, null, null, null, null, null);

    private sealed record Described(
        IReadOnlyList<string>? Documents,
        IReadOnlyDictionary<string, string>? TagsAll,
        IReadOnlyList<string>? TagsAny,
        string? SourcePrefix,
        DateTimeOffset? UpdatedFrom,
        DateTimeOffset? UpdatedTo);
}
