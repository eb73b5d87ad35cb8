using System.Globalization;
using System.Text.Json;

namespace Quarry.Evaluation;

/// <summary>
/// A retrieval test collection in the BEIR layout: <c>corpus.jsonl</c>, <c>queries.jsonl</c> and
/// <c>qrels/test.tsv</c> (header line, then query-id, corpus-id, graded relevance).
/// </summary>
public sealed record BeirDataset(
    string Name,
    string Folder,
    IReadOnlyDictionary<string, string> Queries,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Judgements)
{
    public string CorpusPath => Path.Combine(Folder, "corpus.jsonl");

    public static async Task<BeirDataset> LoadAsync(string folder, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(folder);
        foreach (var required in new[] { "corpus.jsonl", "queries.jsonl", Path.Combine("qrels", "test.tsv") })
        {
            if (!File.Exists(Path.Combine(full, required)))
                throw new FileNotFoundException($"'{folder}' is not a BEIR dataset: {required} is missing.", Path.Combine(full, required));
        }

        var queries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in await File.ReadAllLinesAsync(Path.Combine(full, "queries.jsonl"), cancellationToken))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var json = JsonDocument.Parse(line);
            queries[json.RootElement.GetProperty("_id").ToString()] = json.RootElement.GetProperty("text").GetString() ?? "";
        }

        var judgements = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        var lines = await File.ReadAllLinesAsync(Path.Combine(full, "qrels", "test.tsv"), cancellationToken);
        foreach (var line in lines.Skip(1))
        {
            var parts = line.Split('\t');
            if (parts.Length < 3) continue;
            if (!judgements.TryGetValue(parts[0], out var docs)) judgements[parts[0]] = docs = new Dictionary<string, int>(StringComparer.Ordinal);
            docs[parts[1]] = int.Parse(parts[2], CultureInfo.InvariantCulture);
        }
        return new BeirDataset(Path.GetFileName(full.TrimEnd(Path.DirectorySeparatorChar)), full, queries,
            judgements.ToDictionary(p => p.Key, p => (IReadOnlyDictionary<string, int>)p.Value, StringComparer.Ordinal));
    }
}
