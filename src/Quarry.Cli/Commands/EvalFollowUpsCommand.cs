using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Cli.Hosting;
using Quarry.Cli.Output;
using Quarry.Conversations;
using Quarry.Evaluation;
using Quarry.Generation;
using Quarry.Retrieval;
using Quarry.Server.Hosting;

namespace Quarry.Cli.Commands;

/// <summary>
/// Measures follow-up rewriting on a conversational set (bench/conversations/make_followups.py): each query is a
/// follow-up with the question before it ("previous"); retrieval nDCG@10 of the follow-up as asked, as rewritten
/// (by the rule, or by the chat model when one is configured) and, as the ceiling, of the question before it was made
/// to lean on the conversation ("original").
/// </summary>
internal static class EvalFollowUpsCommand
{
    private const int Depth = 10;

    public static Command Create()
    {
        var dataset = new Option<DirectoryInfo>("--dataset") { Description = "Folder with queries.jsonl (text, previous, original) and qrels/test.tsv.", Required = true };
        var corpus = new Option<FileInfo>("--corpus") { Description = "The BEIR corpus.jsonl the questions were asked about.", Required = true };
        var kb = new Option<string>("--kb") { Description = "Knowledge base holding the corpus; ingested if needed.", DefaultValueFactory = _ => "eval-followups" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var command = new Command("eval-followups", "Evaluate follow-up rewriting: retrieval of follow-ups as asked vs rewritten.") { dataset, corpus, kb, json };
        command.SetAction(async (result, cancellationToken) =>
        {
            var folder = result.GetValue(dataset)!.FullName;
            var judgements = new Dictionary<string, IReadOnlyDictionary<string, int>>(StringComparer.Ordinal);
            foreach (var line in (await File.ReadAllLinesAsync(Path.Combine(folder, "qrels", "test.tsv"), cancellationToken)).Skip(1))
            {
                // One judged paragraph per follow-up: the one both questions were asked about.
                if (line.Split('\t') is [var q, var doc, var grade, ..])
                    judgements[q] = new Dictionary<string, int>(StringComparer.Ordinal) { [doc] = int.Parse(grade, CultureInfo.InvariantCulture) };
            }
            var queries = new List<(string Id, string Text, string Previous, string? Original)>();
            foreach (var line in await File.ReadAllLinesAsync(Path.Combine(folder, "queries.jsonl"), cancellationToken))
            {
                if (string.IsNullOrWhiteSpace(line)) continue;
                using var q = JsonDocument.Parse(line);
                var root = q.RootElement;
                queries.Add((root.GetProperty("_id").GetString()!, root.GetProperty("text").GetString()!, root.GetProperty("previous").GetString()!,
                    root.TryGetProperty("original", out var o) ? o.GetString() : null));
            }

            await using var services = CliContext.BuildServices(result);
            var tenant = CliContext.ResolveTenant(result);
            var dataKb = await DatasetKnowledgeBase.EnsureAsync(services, tenant, result.GetValue(kb)!, result.GetValue(corpus)!.FullName, cancellationToken);
            await EmbeddingConfiguration.LoadVectorsAsync(services, cancellationToken);
            var retriever = services.GetRequiredService<Retriever>();
            var rewriter = services.GetRequiredService<FollowUpRewriter>();
            var filter = dataKb.Filter(tenant);

            double raw = 0, rewritten = 0, original = 0;
            var changed = 0;
            var method = "none";
            foreach (var (id, text, previous, source) in queries.Where(q => judgements.ContainsKey(q.Id)))
            {
                var judged = judgements[id];
                var rewrite = await rewriter.RewriteAsync(text, [new ChatMessage(ChatRole.User, previous)], tenant, cancellationToken);
                if (rewrite.Rewritten is not null)
                {
                    changed++;
                    method = rewrite.Method;
                }
                raw += await NdcgAsync(text);
                rewritten += await NdcgAsync(rewrite.Query);
                original += await NdcgAsync(source ?? text);

                async Task<double> NdcgAsync(string query)
                {
                    var retrieval = await retriever.RetrieveAsync(new RetrievalRequest(query, filter, Depth), cancellationToken);
                    var ranking = retrieval.Chunks.Select(c => DatasetKnowledgeBase.CorpusId(c.Chunk.SourceUri)).Distinct(StringComparer.Ordinal).ToList();
                    return RetrievalMetrics.Ndcg(ranking, judged, 10);
                }
            }
            var n = Math.Max(1, queries.Count(q => judgements.ContainsKey(q.Id)));
            var report = new Dictionary<string, object?>
            {
                ["queries"] = n,
                ["rewritten"] = changed,
                ["method"] = method,
                ["ndcg@10_raw"] = Math.Round(raw / n, 4),
                ["ndcg@10_rewritten"] = Math.Round(rewritten / n, 4),
                ["ndcg@10_original"] = Math.Round(original / n, 4),
            };
            if (result.GetValue(json)) Json.Write(Console.Out, report);
            else Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{n} follow-ups ({changed} rewritten, {method}): nDCG@10 raw {raw / n:F4}  rewritten {rewritten / n:F4}  original question {original / n:F4}"));
            return ExitCodes.Ok;
        });
        return command;
    }
}
