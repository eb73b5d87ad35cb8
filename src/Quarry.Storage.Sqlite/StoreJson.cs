using System.Text.Json;
using System.Text.Json.Serialization;
using Quarry.Documents;

namespace Quarry.Storage.Sqlite;

/// <summary>JSON columns (tags, section trail), through source-generated serializers.</summary>
internal static class StoreJson
{
    public static string Tags(IReadOnlyDictionary<string, string> tags)
    {
        if (tags.Count == 0)
            return "{}";
        // Sorted so that equal tag sets are stored as equal text.
        var sorted = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
            sorted[key] = value;
        return JsonSerializer.Serialize(sorted, StoreJsonContext.Default.SortedDictionaryStringString);
    }

    public static IReadOnlyDictionary<string, string> ReadTags(string json)
    {
        if (json == "{}")
            return EmptyTags.Instance;
        var parsed = JsonSerializer.Deserialize(json, StoreJsonContext.Default.DictionaryStringString);
        return parsed is null ? EmptyTags.Instance : new Dictionary<string, string>(parsed, StringComparer.Ordinal).AsReadOnly();
    }

    public static string Section(IReadOnlyList<string> section) =>
        section.Count == 0 ? "[]" : JsonSerializer.Serialize(section.ToArray(), StoreJsonContext.Default.StringArray);

    public static IReadOnlyList<string> ReadSection(string json) =>
        json == "[]" ? [] : JsonSerializer.Deserialize(json, StoreJsonContext.Default.StringArray) ?? [];
}

[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(SortedDictionary<string, string>))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(string[][]))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
