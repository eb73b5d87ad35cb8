using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Answering;
using Quarry.Cli.Hosting;
using Quarry.Server.Hosting;
using Quarry.Cli.Output;
using Quarry.Retrieval;
using Quarry.Storage;
using Spectre.Console;

namespace Quarry.Cli.Commands;

internal static class AskCommand
{
    public static Command Create()
    {
        var question = new Argument<string>("question") { Description = "The question (quote it)." };
        var kb = new Option<string?>("--kb") { Description = "Knowledge base to answer from (default: all)." };
        var filters = new Option<string[]>("--filter") { Description = $"Restrict the evidence: {SearchFilters.Help}." };
        var json = new Option<bool>("--json") { Description = "Print the answer as JSON (with --stream: one JSON event per line)." };
        var stream = new Option<bool>("--stream") { Description = "Print the answer as it is generated." };
        var model = new Option<string?>("--model") { Description = "Chat provider (by name) to try first, instead of the routing rules' choice." };
        var temperature = new Option<float?>("--temperature") { Description = "Sampling temperature of the chat model, 0 to 2." };
        var maxTokens = new Option<int?>("--max-tokens") { Description = "At most this many answer tokens." };
        var command = new Command("ask", "Answer a question from the knowledge base, with numbered sources.")
        {
            question, kb, filters, json, stream, model, temperature, maxTokens,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            await using var services = CliContext.BuildServices(result);
            var (scope, exitCode) = await QueryScope.ResolveAsync(services, result, kb, filters, cancellationToken);
            if (scope is null) return exitCode;
            if (scope.IsEmpty) await Console.Error.WriteLineAsync("The knowledge base has no documents: add some with 'quarry ingest'.");

            await EmbeddingConfiguration.LoadVectorsAsync(services, cancellationToken);
            var asker = services.GetRequiredService<AskService>();
            var request = new AskRequest(result.GetValue(question)!, scope.Filter)
            {
                Model = result.GetValue(model),
                Temperature = result.GetValue(temperature),
                MaxOutputTokens = result.GetValue(maxTokens),
            };
            try
            {
                var answer = result.GetValue(stream)
                    ? await StreamAsync(asker, request, result.GetValue(json), cancellationToken)
                    : await asker.AskAsync(request, cancellationToken);
                if (result.GetValue(json))
                {
                    if (!result.GetValue(stream)) Json.Write(Console.Out, answer);
                }
                else
                {
                    if (!result.GetValue(stream)) Console.WriteLine(answer.Text);
                    PrintSources(answer);
                }
            }
            catch (Quarry.Spending.QuotaExceededException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return ExitCodes.Error;
            }
            catch (Exception ex) when (ex is InvalidQueryException or Quarry.Generation.UnknownChatModelException)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return ExitCodes.Usage;
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<Answer> StreamAsync(AskService asker, AskRequest request, bool json, CancellationToken cancellationToken)
    {
        Answer? final = null;
        await foreach (var e in asker.StreamAsync(request, cancellationToken))
        {
            if (json) Json.Write(Console.Out, new { @event = EventName(e), data = (object)e });
            else if (e is DeltaEvent delta) Console.Write(delta.Text);
            if (e is DoneEvent done) final = done.Answer;
        }
        if (!json) Console.WriteLine();
        return final ?? throw new InvalidOperationException("The answer stream ended without a final answer.");
    }

    private static string EventName(AnswerEvent e) => e switch
    {
        EvidenceEvent => "evidence",
        DeltaEvent => "delta",
        CitationsEvent => "citations",
        _ => "done",
    };

    private static void PrintSources(Answer answer)
    {
        if (answer.Abstained && answer.AbstentionReason is not null) AnsiConsole.MarkupLine($"[dim]{Markup.Escape(answer.AbstentionReason)}[/]");
        if (answer.Citations.Count > 0)
        {
            Console.WriteLine();
            AnsiConsole.MarkupLine("[bold]Sources[/]");
            foreach (var c in answer.Citations)
            {
                var where = c.Section.Length > 0 ? $" — {c.Section}" : "";
                var page = c.Page is { } p ? $" p.{p}" : "";
                AnsiConsole.MarkupLine($" [bold][[{c.N}]][/] {Markup.Escape(c.Title + where)}  [dim]{Markup.Escape(c.SourceUri + page)} chars {c.Start}–{c.End}[/]");
                AnsiConsole.MarkupLine($"     [italic]\"{Markup.Escape(Flatten(c.Quote))}\"[/]");
            }
        }
        if (answer.UnsupportedSentences.Count > 0)
            AnsiConsole.MarkupLine($"[yellow]Not supported by the evidence:[/] {Markup.Escape(string.Join(" | ", answer.UnsupportedSentences))}");
        if (answer.Degraded is not null) Console.Error.WriteLine($"({answer.Degraded})");
    }

    private static string Flatten(string text)
    {
        var flat = text.ReplaceLineEndings(" ");
        return flat.Length <= 400 ? flat : flat[..400] + "…";
    }
}
