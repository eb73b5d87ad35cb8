using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Quarry.Evaluation;

public sealed record BeirDocument(string Id, string Title, string Text);

public sealed record BeirQuery(string Id, string Text);

/// <param name="Qrels">Query id → (document id → relevance grade).</param>
public sealed record BeirDataset(
    IReadOnlyList<BeirDocument> Corpus,
    IReadOnlyList<BeirQuery> Queries,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Qrels)
{
    public int JudgementCount => Qrels.Values.Sum(q => q.Count);

    /// <summary>Reads a BEIR folder: <c>corpus.jsonl</c>, <c>queries.jsonl</c>, <c>qrels/{split}.tsv</c>.</summary>
    public static async Task<BeirDataset> LoadAsync(string folder, string split = "test", CancellationToken cancellationToken = default)
    {
        var corpus = new List<BeirDocument>();
        await foreach (var json in JsonLines(Path.Combine(folder, "corpus.jsonl"), cancellationToken).ConfigureAwait(false))
        {
            using (json)
                corpus.Add(new BeirDocument(Id(json.RootElement), Text(json.RootElement, "title"), Text(json.RootElement, "text")));
        }
        var queries = new List<BeirQuery>();
        await foreach (var json in JsonLines(Path.Combine(folder, "queries.jsonl"), cancellationToken).ConfigureAwait(false))
        {
            using (json)
                queries.Add(new BeirQuery(Id(json.RootElement), Text(json.RootElement, "text")));
        }
        var qrels = await ReadQrelsAsync(Path.Combine(folder, "qrels", split + ".tsv"), cancellationToken).ConfigureAwait(false);
        return new BeirDataset(corpus, queries, qrels);
    }

    /// <summary>Reads a qrels TSV (<c>query-id corpus-id score</c>, header line optional). A repeated pair keeps its last grade.</summary>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>>> ReadQrelsAsync(string path, CancellationToken cancellationToken)
    {
        var qrels = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        using var reader = new StreamReader(path, Encoding.UTF8);
        var lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var fields = line.Split('\t');
            if (fields.Length < 3)
                throw new FormatException($"{path}:{lineNumber}: expected 'query-id<TAB>corpus-id<TAB>score'.");
            if (!int.TryParse(fields[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var grade))
            {
                if (lineNumber == 1) continue; // the header
                throw new FormatException($"{path}:{lineNumber}: the score '{fields[2]}' is not an integer.");
            }
            if (!qrels.TryGetValue(fields[0], out var judged))
            {
                judged = new Dictionary<string, int>(StringComparer.Ordinal);
                qrels[fields[0]] = judged;
            }
            judged[fields[1]] = grade;
        }
        return qrels.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, int>)kv.Value, StringComparer.Ordinal);
    }

    private static async IAsyncEnumerable<JsonDocument> JsonLines(string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(path, new UTF8Encoding(false, throwOnInvalidBytes: true));
        var lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonDocument json;
            try
            {
                json = JsonDocument.Parse(line);
            }
            catch (JsonException ex)
            {
                throw new FormatException($"{path}:{lineNumber}: invalid JSON: {ex.Message}", ex);
            }
            yield return json;
        }
    }

    private static string Id(JsonElement element) =>
        element.TryGetProperty("_id", out var id) ? (id.ValueKind == JsonValueKind.String ? id.GetString()! : id.GetRawText())
        : throw new FormatException("A BEIR record needs \"_id\".");

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
}
