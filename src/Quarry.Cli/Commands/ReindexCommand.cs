using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Cli.Hosting;
using Quarry.Cli.Output;
using Quarry.Embedding;
using Quarry.Storage;
using Spectre.Console;

namespace Quarry.Cli.Commands;

/// <summary>
/// Re-embeds a knowledge base with the configured embedding model beside its current vectors and switches to it in
/// one transaction when every chunk has one; searches use the old vectors until then. Interrupted, it resumes.
/// </summary>
internal static class ReindexCommand
{
    public static Command Create()
    {
        var kb = new Option<string>("--kb") { Description = "Knowledge base to re-embed.", Required = true };
        var keepOld = new Option<bool>("--keep-old") { Description = "Keep the previous model's vectors after the switch (switching back is then free)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object with the report." };
        var command = new Command("reindex",
            "Re-embed a knowledge base with the configured embedding model, then switch its searches to the new vectors atomically.")
        {
            kb, keepOld, json,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            await using var services = CliContext.BuildServices(result);
            if (services.GetService<IEmbedder>() is null)
            {
                await Console.Error.WriteLineAsync(
                    "No embedding model is configured: set QUARRY_Models__Embeddings__Provider=openai and the QUARRY_Models__Embeddings__OpenAI__* settings (see docs/EMBEDDINGS.md).");
                return ExitCodes.Usage;
            }
            var reindexer = services.GetRequiredService<KnowledgeBaseReindexer>();
            var tenant = CliContext.ResolveTenant(result);
            var asJson = result.GetValue(json);
            var name = result.GetValue(kb)!;
            try
            {
                ReindexReport report;
                if (!asJson && IngestCommand.IsInteractive())
                    report = await RunWithProgressBarAsync(reindexer, tenant, name, !result.GetValue(keepOld), cancellationToken);
                else
                    report = await reindexer.ReindexAsync(tenant, name, !result.GetValue(keepOld), asJson ? null : new PlainProgress(), cancellationToken);
                if (asJson) Json.Write(Console.Out, ToJson(report));
                else PrintSummary(report);
                return ExitCodes.Ok;
            }
            catch (KeyNotFoundException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return ExitCodes.PartialFailure;
            }
            catch (Exception ex) when (ex is EmbeddingException or StoreConflictException)
            {
                // Everything embedded so far is stored: the next run resumes from there.
                await Console.Error.WriteLineAsync($"Re-embedding '{name}' stopped: {ex.Message} Run the same command again to resume; searches still use the previous vectors.");
                return ExitCodes.Error;
            }
        });
        return command;
    }

    private static async Task<ReindexReport> RunWithProgressBarAsync(
        KnowledgeBaseReindexer reindexer, Documents.TenantId tenant, string name, bool dropPrevious, CancellationToken cancellationToken)
    {
        ReindexReport? report = null;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("Re-embedding", maxValue: 1);
                var progress = new Progress<ReindexProgress>(p =>
                {
                    task.MaxValue = Math.Max(1, p.Chunks);
                    task.Value = p.Done;
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"{p.Done}/{p.Chunks} chunks embedded");
                });
                report = await reindexer.ReindexAsync(tenant, name, dropPrevious, progress, cancellationToken);
                task.Value = task.MaxValue;
            });
        return report!;
    }

    private static void PrintSummary(ReindexReport report)
    {
        var from = report.Previous is { } previous ? $"{previous.Id} ({previous.Dimension})" : "no vectors";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"'{report.KnowledgeBase}' is now searched with {report.Model.Id} ({report.Model.Dimension}), was {from}: {report.Chunks} chunks, " +
            $"{report.AlreadyEmbedded} already embedded, {report.Embedded} embedded now, {report.DroppedVectors} old vectors dropped, {report.Seconds:F1}s"));
    }

    private static object ToJson(ReindexReport report) => new
    {
        knowledgeBase = report.KnowledgeBase,
        previousModel = report.Previous?.Id,
        previousDimension = report.Previous?.Dimension,
        model = report.Model.Id,
        dimension = report.Model.Dimension,
        chunks = report.Chunks,
        alreadyEmbedded = report.AlreadyEmbedded,
        embedded = report.Embedded,
        droppedVectors = report.DroppedVectors,
        seconds = Math.Round(report.Seconds, 3),
    };

    /// <summary>One line per stored batch, for logs and pipes.</summary>
    private sealed class PlainProgress : IProgress<ReindexProgress>
    {
        public void Report(ReindexProgress value) => Console.WriteLine($"[{value.Done}/{value.Chunks}] chunks have vectors of the new model");
    }
}
