using System.Text;
using System.Text.Json;

namespace Quarry.Ingestion;

/// <summary>
/// Reads a corpus stored as JSON lines, one document per line — the BEIR layout <c>{"_id","title","text"}</c>
/// (also accepting "id"). Each record becomes a plain-text source whose identity is "<c>{file URI}#{id}</c>", so
/// re-importing the corpus updates the same documents.
/// </summary>
public static class JsonLinesCorpus
{
    public static async Task<ResolvedSources> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var sources = new List<IngestSource>();
        var failures = new List<IngestFailure>();
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            failures.Add(new IngestFailure(path, "not-found", "No such file."));
            return new ResolvedSources(sources, failures);
        }
        var baseUri = new Uri(fullPath).AbsoluteUri;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lineNumber = 0;
        using var reader = new StreamReader(fullPath, new UTF8Encoding(false, throwOnInvalidBytes: true));
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var where = $"{path}:{lineNumber}";
            try
            {
                using var json = JsonDocument.Parse(line);
                var root = json.RootElement;
                var id = Text(root, "_id") ?? Text(root, "id");
                var text = Text(root, "text") ?? Text(root, "body") ?? Text(root, "content");
                if (string.IsNullOrWhiteSpace(id) || string.IsNullOrWhiteSpace(text))
                {
                    failures.Add(new IngestFailure(where, "corrupt", "A record needs \"_id\" (or \"id\") and \"text\"."));
                    continue;
                }
                if (!seen.Add(id))
                {
                    failures.Add(new IngestFailure(where, "corrupt", $"Duplicate id '{id}'."));
                    continue;
                }
                var title = Text(root, "title");
                sources.Add(IngestSource.FromBytes($"{baseUri}#{Uri.EscapeDataString(id)}", $"{id}.txt",
                    Encoding.UTF8.GetBytes(text), "text/plain", string.IsNullOrWhiteSpace(title) ? id : title) with { DisplayName = $"{Path.GetFileName(path)}#{id}" });
            }
            catch (JsonException ex)
            {
                failures.Add(new IngestFailure(where, "corrupt", $"Invalid JSON: {ex.Message}"));
            }
        }
        return new ResolvedSources(sources, failures);
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;
}
