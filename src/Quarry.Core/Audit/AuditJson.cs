using System.Text.Json;

namespace Quarry.Audit;

/// <summary>How stores keep the list fields of a record as JSON (camelCase, read back into the same records).</summary>
public static class AuditJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Write<T>(IReadOnlyList<T> items) => JsonSerializer.Serialize(items, Options);

    public static IReadOnlyList<T> Read<T>(string? json) =>
        string.IsNullOrEmpty(json) ? [] : JsonSerializer.Deserialize<List<T>>(json, Options) ?? [];
}
