using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Answering;
using Quarry.Cli.Hosting;
using Quarry.Server.Hosting;
using Quarry.Cli.Output;
using Quarry.Documents;
using Quarry.Evaluation;

namespace Quarry.Cli.Commands;

/// <summary>
/// Measures answers on a question-answering dataset (BEIR layout plus <c>answers.jsonl</c>) through the same
/// <see cref="AskService"/> the service uses: how often the cited sentences contain a gold answer, token F1 of the
/// answer, abstentions, and abstentions when the same questions are asked of an unrelated knowledge base.
/// </summary>
internal static partial class EvalAnswersCommand
{
    public static Command Create()
    {
        var dataset = new Option<DirectoryInfo>("--dataset") { Description = "Folder with corpus.jsonl, queries.jsonl, qrels/test.tsv and answers.jsonl.", Required = true };
        var unrelated = new Option<DirectoryInfo?>("--unrelated") { Description = "BEIR folder of an unrelated corpus for the wrong-knowledge-base test (default: scifact beside the dataset)." };
        var limit = new Option<int?>("--limit") { Description = "Ask only the first N questions." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var split = EvalSettings.Split();
        var details = new Option<FileInfo?>("--details") { Description = "Write one JSON line per question (answers, abstention reasons, on both knowledge bases) to this file." };
        var command = new Command("eval-answers", "Evaluate answers (citations, F1, abstention) on a question-answering dataset.") { dataset, unrelated, limit, split, details, json };
        command.SetAction(async (result, cancellationToken) =>
        {
            var data = await BeirDataset.LoadAsync(result.GetValue(dataset)!.FullName, cancellationToken);
            var golds = await AnswerScoring.LoadGoldAnswersAsync(Path.Combine(data.Folder, "answers.jsonl"), cancellationToken);
            var unrelatedFolder = result.GetValue(unrelated)?.FullName ?? Path.Combine(Path.GetDirectoryName(data.Folder)!, "scifact");
            var unrelatedData = await BeirDataset.LoadAsync(unrelatedFolder, cancellationToken);
            var half = result.GetValue(split);
            var questions = data.Queries.Where(q => golds.ContainsKey(q.Key) && half.Includes(data, q.Key)).Take(result.GetValue(limit) ?? int.MaxValue).ToList();
            var asJson = result.GetValue(json);

            var dataDirectory = EvalSettings.DataDirectory(result);
            await using var services = CliContext.BuildServices(result, dataDirectory);
            var tenant = CliContext.ResolveTenant(result);
            var own = await DatasetKnowledgeBase.EnsureAsync(services, tenant, "eval-" + data.Name, data.CorpusPath, cancellationToken);
            var other = await DatasetKnowledgeBase.EnsureAsync(services, tenant, "eval-" + unrelatedData.Name, unrelatedData.CorpusPath, cancellationToken);
            await EmbeddingConfiguration.LoadVectorsAsync(services, cancellationToken);
            var asker = services.GetRequiredService<AskService>();

            await using var detailLines = result.GetValue(details) is { } detailFile ? new StreamWriter(detailFile.FullName) : null;
            double containsGold = 0, f1 = 0, abstained = 0, wrongAbstained = 0;
            var latencies = new List<double>();
            var stages = new Dictionary<string, List<double>>(StringComparer.Ordinal);
            string? model = null, degraded = null;
            foreach (var (id, text) in questions)
            {
                var answer = await asker.AskAsync(new AskRequest(text, own.Filter(tenant)), cancellationToken);
                model ??= answer.Model;
                degraded ??= answer.Degraded;
                foreach (var (stage, ms) in answer.TimingsMs)
                {
                    if (!stages.TryGetValue(stage, out var list)) stages[stage] = list = [];
                    list.Add(ms);
                }
                latencies.Add(answer.TimingsMs["total"]);
                var cited = !answer.Abstained && answer.Citations.Any(c => AnswerScoring.ContainsAny(c.Quote, golds[id]));
                if (answer.Abstained)
                {
                    abstained++;
                }
                else
                {
                    if (cited) containsGold++;
                    f1 += AnswerScoring.F1(Markers().Replace(answer.Text, " "), golds[id]);
                }
                var wrong = await asker.AskAsync(new AskRequest(text, other.Filter(tenant)), cancellationToken);
                if (wrong.Abstained) wrongAbstained++;
                if (detailLines is not null)
                {
                    Json.Write(detailLines, new Dictionary<string, object?>
                    {
                        ["id"] = id, ["question"] = text, ["gold"] = golds[id], ["citedContainsGold"] = cited,
                        ["answer"] = answer.Abstained ? null : answer.Text, ["reason"] = answer.AbstentionReason,
                        ["wrongKbAnswer"] = wrong.Abstained ? null : wrong.Text, ["wrongKbReason"] = wrong.AbstentionReason,
                        ["support"] = answer.Support, ["wrongKbSupport"] = wrong.Support,
                    });
                }
            }

            var n = Math.Max(1, questions.Count);
            var config = EvalSettings.Describe(services, dataDirectory, half);
            config["answerer"] = model;
            config["degraded"] = degraded;
            config["knowledgeBase"] = own.Name;
            config["wrongKnowledgeBase"] = other.Name;
            var report = new Dictionary<string, object?>
            {
                ["dataset"] = data.Name,
                ["questions"] = questions.Count,
                ["citedContainsGold"] = Math.Round(containsGold / n, 4),
                ["f1"] = Math.Round(f1 / n, 4),
                ["abstained"] = Math.Round(abstained / n, 4),
                ["wrongKbAbstention"] = Math.Round(wrongAbstained / n, 4),
                ["latencyMs"] = Percentiles(latencies),
                ["stagesMs"] = stages.Where(s => s.Key != "total").ToDictionary(s => s.Key, s => Percentiles(s.Value)),
                ["config"] = config,
            };
            if (asJson)
            {
                Json.Write(Console.Out, report);
            }
            else
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{data.Name}: {questions.Count} questions  cited-contains-gold {containsGold / n:P1}  F1 {f1 / n:F3}  abstained {abstained / n:P1}  wrong-KB abstention {wrongAbstained / n:P1}"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"latency ms: p50 {RetrievalMetrics.Percentile(latencies, 50):F1}  p95 {RetrievalMetrics.Percentile(latencies, 95):F1}"));
                Console.WriteLine(EvalSettings.Line(config));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Dictionary<string, double> Percentiles(List<double> values) => new()
    {
        ["p50"] = Math.Round(RetrievalMetrics.Percentile(values, 50), 2),
        ["p95"] = Math.Round(RetrievalMetrics.Percentile(values, 95), 2),
    };

    [GeneratedRegex(@"\[\d+\]")]
    private static partial Regex Markers();
}
