using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Quarry.Chunking;
using Quarry.Cli.Hosting;
using Quarry.Server.Hosting;
using Quarry.Cli.Output;
using Quarry.Documents;
using Quarry.Evaluation;
using Quarry.Ingestion;
using Quarry.QueryExpansion;
using Quarry.Retrieval;
using Quarry.Storage;

namespace Quarry.Cli.Commands;

/// <summary>
/// Measures retrieval on a BEIR-layout dataset through the same <see cref="Retriever"/> the service uses:
/// nDCG@10, recall@10/100, MRR@10 and per-query latency.
/// </summary>
internal static class EvalCommand
{
    private const int Depth = 100;

    public static Command Create()
    {
        var dataset = new Option<DirectoryInfo>("--dataset") { Description = "BEIR folder: corpus.jsonl, queries.jsonl, qrels/test.tsv.", Required = true };
        var kb = new Option<string?>("--kb") { Description = "Knowledge base holding the corpus (default: eval-<dataset>); ingested if needed." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var split = EvalSettings.Split();
        var compare = new Option<bool>("--compare-fusions") { Description = "Also rank each query's candidates by every fusion (keyword, dense, reciprocal rank, normalized scores at several weights) and report nDCG@10 of each." };
        var depth = new Option<int>("--depth") { Description = "Results per query (1-200; recall@100 needs 100).", DefaultValueFactory = _ => Depth };
        var command = new Command("eval", "Evaluate retrieval quality and latency on a BEIR dataset.") { dataset, kb, split, compare, json, depth };
        command.SetAction(async (result, cancellationToken) =>
        {
            var data = await BeirDataset.LoadAsync(result.GetValue(dataset)!.FullName, cancellationToken);
            var kbName = result.GetValue(kb) ?? "eval-" + data.Name;
            if (!KnowledgeBaseNames.IsValid(kbName))
            {
                await Console.Error.WriteLineAsync($"'{kbName}' is not a valid knowledge base name.");
                return ExitCodes.Usage;
            }
            var dataDirectory = EvalSettings.DataDirectory(result);
            await using var services = CliContext.BuildServices(result, dataDirectory);
            var half = result.GetValue(split);
            var tenant = CliContext.ResolveTenant(result);
            var asJson = result.GetValue(json);
            var topK = result.GetValue(depth);

            var dataKb = await DatasetKnowledgeBase.EnsureAsync(services, tenant, kbName, data.CorpusPath, cancellationToken);
            var ingest = dataKb.Ingest;
            if (!asJson)
                Console.Error.WriteLine($"corpus: {ingest.Documents} documents ({ingest.Created} new, {ingest.Unchanged} unchanged), {ingest.Failed.Count} failed, {ingest.Seconds:F1}s");

            await EmbeddingConfiguration.LoadVectorsAsync(services, cancellationToken);
            var retriever = services.GetRequiredService<Retriever>();
            // With MultiQuery:Variants and a chat model configured, the model's rephrasings take part as they do in asks.
            var multiQuery = services.GetRequiredService<MultiQueryRetriever>();
            var filter = dataKb.Filter(tenant);

            var comparison = result.GetValue(compare) ? new FusionComparison(services.GetRequiredService<IOptions<RetrievalOptions>>().Value) : null;
            double ndcg = 0, recall10 = 0, recall100 = 0, mrr = 0;
            var latencies = new List<double>();
            string? mode = null, degraded = null;
            var judgedQueries = data.Queries.Where(q => data.Judgements.ContainsKey(q.Key) && half.Includes(data, q.Key)).ToList();
            foreach (var (id, text) in judgedQueries)
            {
                var started = Stopwatch.GetTimestamp();
                var retrieval = multiQuery.Enabled
                    ? (await multiQuery.RetrieveAsync(new RetrievalRequest(text, filter, topK), cancellationToken)).Retrieval
                    : await retriever.RetrieveAsync(new RetrievalRequest(text, filter, topK), cancellationToken);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                mode ??= retrieval.Mode;
                degraded ??= retrieval.Degraded;
                // Documents ranked by their best chunk; the corpus id is the source URI's fragment.
                var ranking = retrieval.Chunks.Select(c => DatasetKnowledgeBase.CorpusId(c.Chunk.SourceUri)).Distinct(StringComparer.Ordinal).ToList();
                var judged = data.Judgements[id];
                ndcg += RetrievalMetrics.Ndcg(ranking, judged, 10);
                recall10 += RetrievalMetrics.Recall(ranking, judged, 10);
                recall100 += RetrievalMetrics.Recall(ranking, judged, 100);
                mrr += RetrievalMetrics.ReciprocalRank(ranking, judged, 10);
                if (comparison is not null)
                    comparison.Add(await retriever.RetrieveCandidatesAsync(new RetrievalRequest(text, filter, Depth), cancellationToken), judged);
            }
            var n = Math.Max(1, judgedQueries.Count);
            var config = EvalSettings.Describe(services, dataDirectory, half);
            config["mode"] = mode;
            config["degraded"] = degraded;
            config["knowledgeBase"] = kbName;
            config["documents"] = ingest.Documents;
            config["chunkMaxTokens"] = services.GetRequiredService<IOptions<ChunkingOptions>>().Value.MaxTokens;
            config["depth"] = topK;
            config["multiQueryVariants"] = multiQuery.Enabled ? services.GetRequiredService<IOptions<MultiQueryOptions>>().Value.Variants : 0;
            var report = new Dictionary<string, object?>
            {
                ["dataset"] = data.Name,
                ["queries"] = judgedQueries.Count,
                ["ndcgAt10"] = Math.Round(ndcg / n, 4),
                ["recallAt10"] = Math.Round(recall10 / n, 4),
                ["recallAt100"] = Math.Round(recall100 / n, 4),
                ["mrrAt10"] = Math.Round(mrr / n, 4),
                ["ingest"] = new Dictionary<string, object> { ["documents"] = ingest.Documents, ["created"] = ingest.Created, ["seconds"] = Math.Round(ingest.Seconds, 3) },
                ["latencyMs"] = new Dictionary<string, double>
                {
                    ["p50"] = Math.Round(RetrievalMetrics.Percentile(latencies, 50), 2),
                    ["p95"] = Math.Round(RetrievalMetrics.Percentile(latencies, 95), 2),
                    ["p99"] = Math.Round(RetrievalMetrics.Percentile(latencies, 99), 2),
                },
                ["config"] = config,
                ["fusions"] = comparison?.Report(),
            };
            if (asJson)
            {
                Json.Write(Console.Out, report);
            }
            else
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{data.Name}: {judgedQueries.Count} queries  nDCG@10 {ndcg / n:F4}  recall@10 {recall10 / n:F4}  recall@100 {recall100 / n:F4}  MRR@10 {mrr / n:F4}"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"latency ms: p50 {RetrievalMetrics.Percentile(latencies, 50):F2}  p95 {RetrievalMetrics.Percentile(latencies, 95):F2}  p99 {RetrievalMetrics.Percentile(latencies, 99):F2}"));
                Console.WriteLine(EvalSettings.Line(config));
                comparison?.Print(Console.Out);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
