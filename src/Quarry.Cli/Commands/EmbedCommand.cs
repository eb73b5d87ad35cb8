using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Cli.Hosting;
using Quarry.Embedding;

namespace Quarry.Cli.Commands;

/// <summary><c>quarry models embed</c>: the configured embedder as a filter, one text per input line, one JSON vector
/// per output line. Lets scripts (threshold calibration, comparisons) use exactly the vectors Quarry uses.</summary>
internal static class EmbedCommand
{
    private const int Batch = 32;

    public static Command Create()
    {
        var query = new Option<bool>("--query") { Description = "Embed the lines as queries (models with a query prefix add it)." };
        var command = new Command("embed", "Embed each line of standard input with the configured embedder; print one JSON array per line.") { query };
        command.SetAction(async (result, cancellationToken) =>
        {
            await using var services = CliContext.BuildServices(result);
            var embedder = services.GetService<IEmbedder>();
            if (embedder is null)
            {
                await Console.Error.WriteLineAsync("No embedder is configured: set Models:Embeddings:Provider (e.g. builtin:minilm).");
                return ExitCodes.Usage;
            }
            var kind = result.GetValue(query) ? EmbeddingKind.Query : EmbeddingKind.Document;
            var lines = new List<string>(Batch);
            while (await Console.In.ReadLineAsync(cancellationToken) is { } line)
            {
                lines.Add(line);
                if (lines.Count == Batch) await FlushAsync(embedder, lines, kind, cancellationToken);
            }
            await FlushAsync(embedder, lines, kind, cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task FlushAsync(IEmbedder embedder, List<string> lines, EmbeddingKind kind, CancellationToken cancellationToken)
    {
        if (lines.Count == 0) return;
        var vectors = await embedder.EmbedAsync(lines, kind, cancellationToken);
        foreach (var vector in vectors) await Console.Out.WriteLineAsync(JsonSerializer.Serialize(vector.ToArray()));
        lines.Clear();
    }
}
