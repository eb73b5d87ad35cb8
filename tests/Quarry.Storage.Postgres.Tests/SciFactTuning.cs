using System.Globalization;
using System.Text.Json;
using Npgsql;
using Quarry.Documents;
using Quarry.Evaluation;
using Quarry.Storage.Postgres.Tests.TestSupport;
using Xunit.Abstractions;

namespace Quarry.Storage.Postgres.Tests;

public sealed class SciFactTuning(ITestOutputHelper output)
{
    [Theory]
    [InlineData("scifact")]
    [InlineData("squad-dev-a")]
    public async Task Tune(string name)
    {
        var folder = SharedData.Path("datasets", name);
        var dataset = await BeirDataset.LoadAsync(folder, CancellationToken.None);
        var rows = new List<ChunkRows.Row>();
        foreach (var line in await File.ReadAllLinesAsync(dataset.CorpusPath))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var json = JsonDocument.Parse(line);
            var r = json.RootElement;
            rows.Add(new(r.GetProperty("_id").ToString(), r.TryGetProperty("title", out var t) ? t.GetString() ?? "" : "", r.GetProperty("text").GetString()!));
        }
        await using var store = await PostgresTestStore.CreateAsync(TimeProvider.System);
        await store.Inner.Database.EnsureReadyAsync(CancellationToken.None);
        await ChunkRows.InsertAsync(store.ConnectionString, new TenantId("t"), "kb", rows);
        await using var connection = new NpgsqlConnection(store.ConnectionString);
        await connection.OpenAsync();
        await using (var an = new NpgsqlCommand("ANALYZE;", connection)) await an.ExecuteNonQueryAsync();

        var variants = new List<(string Name, Func<TsQuery, string> Rank)>();
        foreach (var w in new[] { "{0.1, 0.2, 0.4, 1.0}", "{0.4, 0.4, 0.6, 1.0}", "{1.0, 1.0, 1.0, 1.0}", "{0.6, 0.6, 0.8, 1.0}" })
            foreach (var n in new[] { 0, 1, 2, 4, 8, 16, 5, 17 })
                variants.Add(($"w={w} n={n}", q => $"ts_rank_cd('{w}', c.search, {q.Sql}, {n})"));
        foreach (var w in new[] { "{0.4, 0.4, 0.6, 1.0}" })
            foreach (var n in new[] { 0, 1, 2, 8, 16 })
                variants.Add(($"ts_rank w={w} n={n}", q => $"ts_rank('{w}', c.search, {q.Sql}, {n})"));
        var judged = dataset.Queries.Where(q => dataset.Judgements.ContainsKey(q.Key)).ToList();
        foreach (var (vname, rank) in variants)
        {
            var ndcg = 0.0;
            var sw = System.Diagnostics.Stopwatch.StartNew();
            foreach (var (id, text) in judged)
            {
                var q = TsQueryBuilder.Build(text);
                var ranking = new List<string>();
                if (q is not null)
                {
                    await using var cmd = new NpgsqlCommand($"SELECT c.doc_id FROM chunks c WHERE c.tenant_id = 't' AND c.search @@ {q.Sql} ORDER BY {rank(q)} DESC, c.row_id LIMIT 10;", connection);
                    foreach (var p in q.Parameters) cmd.Parameters.Add(p.Clone());
                    await using var reader = await cmd.ExecuteReaderAsync();
                    while (await reader.ReadAsync()) ranking.Add(reader.GetString(0));
                }
                ndcg += RetrievalMetrics.Ndcg(ranking, dataset.Judgements[id], 10);
            }
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} {vname}: nDCG@10 {ndcg / judged.Count:F4} ({sw.ElapsedMilliseconds} ms)"));
        }
    }
}
