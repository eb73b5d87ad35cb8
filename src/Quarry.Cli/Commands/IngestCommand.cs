using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Cli.Hosting;
using Quarry.Cli.Output;
using Quarry.Documents;
using Quarry.Ingestion;
using Quarry.Server.Hosting;
using Spectre.Console;

namespace Quarry.Cli.Commands;

internal static class IngestCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "Files, folders or glob patterns (quote globs: 'docs/**/*.md').",
            Arity = ArgumentArity.OneOrMore,
        };
        var kb = new Option<string>("--kb") { Description = "Knowledge base (created if missing).", DefaultValueFactory = _ => KnowledgeBaseNames.Default };
        var tags = new Option<string[]>("--tag") { Description = "Tag every document: key=value (repeatable)." };
        var allow = new Option<string[]>("--allow")
        {
            Description = "Only these may read the documents: user:<id> or group:<name> (repeatable; default: everyone of the " +
                "knowledge base; a re-ingest without --allow keeps each document's list).",
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object with the batch report." };
        var records = new Option<bool>("--records")
        {
            Description = "Read .jsonl files as one document per line ({\"_id\",\"title\",\"text\"}, the BEIR corpus layout).",
        };

        var noVectors = new Option<bool>("--no-vectors")
        {
            Description = "Store without embedding (searchable by keyword); 'quarry reindex' or a server fills the vectors later.",
        };

        var command = new Command("ingest", "Parse, chunk and store documents, then embed them when an embedder is configured.") { paths, kb, tags, allow, json, records, noVectors };
        command.SetAction(async (result, cancellationToken) =>
        {
            var (tagMap, tagError) = Tags.Parse(result.GetValue(tags));
            if (tagError is not null)
            {
                await Console.Error.WriteLineAsync(tagError);
                return ExitCodes.Usage;
            }
            IReadOnlyList<string>? allowList = null;
            if (result.GetValue(allow) is { Length: > 0 } entries)
            {
                var (normalized, allowError) = Quarry.Access.AccessList.Normalize(entries);
                if (normalized is null)
                {
                    await Console.Error.WriteLineAsync(allowError);
                    return ExitCodes.Usage;
                }
                allowList = normalized;
            }
            var kbName = result.GetValue(kb)!;
            if (!KnowledgeBaseNames.IsValid(kbName))
            {
                await Console.Error.WriteLineAsync($"'{kbName}' is not a valid knowledge base name: use letters, digits, '-', '_' or '.'.");
                return ExitCodes.Usage;
            }

            await using var services = CliContext.BuildServices(result);
            await services.EnsureStoreReadyAsync(cancellationToken);
            var resolved = await ResolveAsync(services, result.GetValue(paths)!, result.GetValue(records), cancellationToken);
            var request = new IngestRequest(CliContext.ResolveTenant(result), kbName, resolved.Sources, tagMap, resolved.Failures, Allow: allowList,
                Vectors: result.GetValue(noVectors) ? IngestionVectors.Off : null);
            var ingestor = services.GetRequiredService<DocumentIngestor>();
            var asJson = result.GetValue(json);

            IngestReport report;
            if (!asJson && IsInteractive())
                report = await RunWithProgressBarAsync(ingestor, request, cancellationToken);
            else
                report = await ingestor.IngestAsync(request, asJson ? null : new PlainProgress(), cancellationToken);

            // The summary first: the documents are stored and searchable by keyword before any vector is computed.
            if (!asJson) PrintSummary(report, kbName);
            var vectors = result.GetValue(noVectors) ? null : await IngestVectors.FillAsync(services, request.Tenant, kbName, cancellationToken);
            if (asJson) Json.Write(Console.Out, ToJson(report, kbName, vectors));
            return report.Failed.Count == 0 ? ExitCodes.Ok : ExitCodes.PartialFailure;
        });
        return command;
    }

    private static async Task<ResolvedSources> ResolveAsync(IServiceProvider services, string[] arguments, bool records, CancellationToken cancellationToken)
    {
        if (!records) return services.GetRequiredService<FileSourceResolver>().Resolve(arguments);
        var sources = new List<IngestSource>();
        var failures = new List<IngestFailure>();
        var files = services.GetRequiredService<FileSourceResolver>().Resolve(arguments.Where(a => !IsJsonLines(a)));
        sources.AddRange(files.Sources);
        failures.AddRange(files.Failures);
        foreach (var corpus in arguments.Where(IsJsonLines))
        {
            var read = await JsonLinesCorpus.ReadAsync(corpus, cancellationToken);
            sources.AddRange(read.Sources);
            failures.AddRange(read.Failures);
        }
        return new ResolvedSources(sources, failures);
    }

    private static bool IsJsonLines(string path) =>
        path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase);

    internal static bool IsInteractive() =>
        !Console.IsOutputRedirected && !Console.IsErrorRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    private static async Task<IngestReport> RunWithProgressBarAsync(DocumentIngestor ingestor, IngestRequest request, CancellationToken cancellationToken)
    {
        IngestReport? report = null;
        var totalBytes = Math.Max(1, request.Sources.Sum(s => s.Length));
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("Ingesting", maxValue: totalBytes);
                var progress = new Progress<IngestProgress>(p =>
                {
                    task.Value = p.BytesDone;
                    var failed = p.Failed > 0 ? $" · [red]{p.Failed} failed[/]" : "";
                    task.Description = string.Create(CultureInfo.InvariantCulture,
                        $"{p.FilesDone}/{p.FilesTotal} files · {Units.Bytes(p.BytesDone)}/{Units.Bytes(p.BytesTotal)} · {p.Chunks} chunks{failed}");
                });
                report = await ingestor.IngestAsync(request, progress, cancellationToken);
                task.Value = totalBytes;
            });
        return report!;
    }

    private static void PrintSummary(IngestReport report, string kb)
    {
        foreach (var failure in report.Failed)
            Console.Error.WriteLine($"failed     {failure.Path}: {failure.Reason}: {failure.Error}");
        var seconds = Math.Max(report.Seconds, 1e-6);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{report.Documents} documents in '{kb}' ({report.Created} created, {report.Replaced} replaced, {report.Unchanged} unchanged), " +
            $"{report.Chunks} chunks written, {report.Failed.Count} failed, {report.Seconds:F2}s " +
            $"({report.Documents / seconds:F0} docs/s, {report.Bytes / seconds / 1024 / 1024:F1} MB/s)"));
    }

    private static object ToJson(IngestReport report, string kb, Quarry.Vectorizing.VectorFillReport? vectors)
    {
        var seconds = Math.Max(report.Seconds, 1e-6);
        return new
        {
            knowledgeBase = kb,
            documents = report.Documents,
            created = report.Created,
            unchanged = report.Unchanged,
            replaced = report.Replaced,
            chunks = report.Chunks,
            bytes = report.Bytes,
            failed = report.Failed.Select(f => new { path = f.Path, reason = f.Reason, error = f.Error }),
            seconds = Math.Round(report.Seconds, 3),
            docsPerSecond = Math.Round(report.Documents / seconds, 1),
            megabytesPerSecond = Math.Round(report.Bytes / seconds / 1024 / 1024, 2),
            vectors = vectors is null ? null : new { model = vectors.Model.Id, embedded = vectors.Embedded, missing = vectors.Missing },
        };
    }

    /// <summary>One line per finished document, for logs and pipes.</summary>
    private sealed class PlainProgress : IProgress<IngestProgress>
    {
        public void Report(IngestProgress value) =>
            Console.WriteLine($"[{value.FilesDone}/{value.FilesTotal}] {value.Outcome,-10} {value.Current}");
    }
}
