using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Cli.Hosting;
using Quarry.Server.Hosting;
using Quarry.Cli.Output;
using Quarry.Documents;
using Quarry.Retrieval;
using Quarry.Storage;
using Spectre.Console;

namespace Quarry.Cli.Commands;

internal static class SearchCommand
{
    public static Command Create()
    {
        var query = new Argument<string>("query") { Description = "What to look for (quote it)." };
        var kb = new Option<string?>("--kb") { Description = "Knowledge base to search (default: all)." };
        var top = new Option<int?>("--top") { Description = "Number of results (default 10)." };
        var filters = new Option<string[]>("--filter") { Description = $"Restrict candidates before ranking: {SearchFilters.Help}." };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("search", "Search the knowledge base and show the best matching chunks.") { query, kb, top, filters, json };
        command.SetAction(async (result, cancellationToken) =>
        {
            await using var services = CliContext.BuildServices(result);
            var (scope, exitCode) = await QueryScope.ResolveAsync(services, result, kb, filters, cancellationToken);
            if (scope is null) return exitCode;

            await EmbeddingConfiguration.LoadVectorsAsync(services, cancellationToken);
            var text = result.GetValue(query)!;
            RetrievalResult retrieval;
            try
            {
                retrieval = await services.GetRequiredService<Retriever>().RetrieveAsync(new RetrievalRequest(text, scope.Filter, result.GetValue(top)), cancellationToken);
            }
            catch (InvalidQueryException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return ExitCodes.Usage;
            }
            var reason = retrieval.Chunks.Count > 0 ? null
                : scope.IsEmpty ? "The knowledge base has no documents: add some with 'quarry ingest'."
                : "No chunk matches the query and filters.";

            if (result.GetValue(json))
            {
                Json.Write(Console.Out, new
                {
                    query = text,
                    mode = retrieval.Mode,
                    degraded = retrieval.Degraded,
                    reason,
                    results = retrieval.Chunks.Select((r, i) => new
                    {
                        rank = i + 1,
                        score = Math.Round(r.Score, 6),
                        chunkId = r.Chunk.Id.Value,
                        documentId = r.Chunk.DocumentId.Value,
                        title = r.Chunk.Title,
                        section = r.Chunk.Section,
                        sourceUri = r.Chunk.SourceUri,
                        keywordRank = r.KeywordRank,
                        keywordScore = r.KeywordScore is { } k ? Math.Round(k, 6) : (double?)null,
                        vectorRank = r.VectorRank,
                        vectorScore = r.VectorScore is { } v ? Math.Round(v, 6) : (double?)null,
                        rerankScore = r.RerankScore is { } rr ? Math.Round(rr, 6) : (double?)null,
                        start = r.Chunk.Span.Start,
                        end = r.Chunk.Span.End,
                        pageStart = r.Chunk.PageStart,
                        text = r.Chunk.Text,
                        highlights = Highlighter.Find(r.Chunk.Text, text).Select(s => new[] { s.Start, s.End }),
                    }),
                });
                return ExitCodes.Ok;
            }

            if (reason is not null) Console.WriteLine(reason);
            for (var i = 0; i < retrieval.Chunks.Count; i++) Print(i + 1, retrieval.Chunks[i], text);
            if (retrieval.Degraded is not null) Console.Error.WriteLine($"({retrieval.Degraded})");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Print(int rank, RetrievedChunk hit, string query)
    {
        var chunk = hit.Chunk;
        var ranks = string.Join(", ", new[]
        {
            hit.KeywordRank is { } k ? $"keyword #{k}" : null,
            hit.VectorRank is { } v ? $"vector #{v}" : null,
            hit.RerankScore is { } r ? string.Create(CultureInfo.InvariantCulture, $"rerank {r:F3}") : null,
        }.Where(s => s is not null));
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[bold]{rank}. {Markup.Escape(chunk.Title)}[/]  [dim]{Markup.Escape(chunk.SectionPath)}[/]  score {hit.Score:F3} ({ranks})"));
        AnsiConsole.MarkupLine($"   [dim]{Markup.Escape(chunk.SourceUri)}{(chunk.PageStart is { } p ? $" p.{p}" : "")}[/]");
        AnsiConsole.MarkupLine("   " + Snippet(chunk.Text, Highlighter.Find(chunk.Text, query)));
        Console.WriteLine();
    }

    /// <summary>About 300 characters around the first match, with matches in bold.</summary>
    private static string Snippet(string text, IReadOnlyList<TextSpan> matches)
    {
        const int Width = 300;
        var start = matches.Count > 0 ? Math.Max(0, matches[0].Start - 80) : 0;
        var end = Math.Min(text.Length, start + Width);
        var sb = new StringBuilder(start > 0 ? "…" : "");
        var at = start;
        foreach (var m in matches.Where(m => m.Start >= start && m.End <= end))
        {
            sb.Append(Markup.Escape(Flatten(text[at..m.Start]))).Append("[bold yellow]").Append(Markup.Escape(text[m.Start..m.End])).Append("[/]");
            at = m.End;
        }
        sb.Append(Markup.Escape(Flatten(text[at..end])));
        if (end < text.Length) sb.Append('…');
        return sb.ToString();
    }

    private static string Flatten(string text) => text.ReplaceLineEndings(" ");
}
