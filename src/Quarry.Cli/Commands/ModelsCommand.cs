using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Quarry.Cli.Hosting;
using Quarry.Cli.Output;
using Quarry.Server.Hosting;
using Quarry.Models.Local.Hub;
using Spectre.Console;

namespace Quarry.Cli.Commands;

/// <summary><c>quarry models pull|list</c>: local models in the model cache ($QUARRY_MODELS or the platform cache folder).</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON.", Recursive = true };
        var command = new Command("models", "Download and list local models (embedders and cross-encoder rerankers from the Hugging Face hub).") { json };
        command.Subcommands.Add(Pull(json));
        command.Subcommands.Add(List(json));
        command.Subcommands.Add(EmbedCommand.Create());
        return command;
    }

    private static Command Pull(Option<bool> json)
    {
        var model = new Argument<string>("model") { Description = "Hugging Face model id, e.g. BAAI/bge-small-en-v1.5 or cross-encoder/ms-marco-MiniLM-L-6-v2, optionally @revision." };
        var command = new Command("pull", "Download a model into the model cache, resumably, verifying every file against the hub's sha256.") { model };
        command.SetAction(async (result, cancellationToken) =>
        {
            ModelReference reference;
            try
            {
                reference = ModelReference.Parse(result.GetValue(model)!);
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return ExitCodes.Usage;
            }
            if (reference.IsLocal)
            {
                await Console.Error.WriteLineAsync($"{reference.LocalPath} is a local folder: use it directly with --model-path (nothing to pull).");
                return ExitCodes.Usage;
            }
            var configuration = CliContext.LoadConfiguration();
            var hub = LocalModelConfiguration.HubOptions(configuration);
            using var downloader = new HuggingFaceDownloader(hub, ModelCache.FromOptions(hub));
            var asJson = result.GetValue(json);
            var started = Stopwatch.GetTimestamp();
            ModelManifest manifest;
            try
            {
                manifest = await ModelDownloadProgress.RunAsync(downloader, reference, cancellationToken, quiet: asJson);
            }
            catch (ModelDownloadException e)
            {
                await Console.Error.WriteLineAsync($"Cannot pull {reference.Name}: {e.Message}");
                if (e.Offline)
                    await Console.Error.WriteLineAsync("Without internet, copy a downloaded model folder to this machine and point Quarry at it with --model-path DIR.");
                return ExitCodes.Error;
            }
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            if (asJson)
            {
                Json.Write(Console.Out, new
                {
                    model = manifest.Repository,
                    revision = manifest.Revision,
                    commit = manifest.Commit,
                    folder = manifest.Folder,
                    bytes = manifest.TotalBytes,
                    seconds = Math.Round(seconds, 3),
                    files = manifest.Files.Select(f => new { path = f.Path, size = f.Size, sha256 = f.Sha256, gitBlobSha1 = f.GitBlobSha1 }),
                });
                return ExitCodes.Ok;
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{reference.Name} ({manifest.Commit ?? "unknown commit"}): {manifest.Files.Count} files, {Units.Bytes(manifest.TotalBytes)} verified in {manifest.Folder} ({seconds:F1}s)"));
            Console.WriteLine($"Use it: QUARRY_Models__Embeddings__Provider=local:{reference.Name} (embedder) or QUARRY_Models__Reranker__Provider=local:{reference.Name} (cross-encoder).");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(Option<bool> json)
    {
        var command = new Command("list", "List downloaded models.");
        command.SetAction(result =>
        {
            var cache = ModelCache.FromOptions(LocalModelConfiguration.HubOptions(CliContext.LoadConfiguration()));
            var models = cache.List();
            if (result.GetValue(json))
            {
                Json.Write(Console.Out, new
                {
                    cache = cache.Root,
                    models = models.Select(m => new { model = m.Repository, revision = m.Revision, commit = m.Commit, folder = m.Folder, bytes = m.TotalBytes }),
                });
                return ExitCodes.Ok;
            }
            if (models.Count == 0)
            {
                Console.WriteLine($"No models in {cache.Root}: 'quarry models pull BAAI/bge-small-en-v1.5' downloads one.");
                return ExitCodes.Ok;
            }
            var table = new Table().AddColumns("Model", "Revision", "Size", "Folder");
            foreach (var m in models)
                table.AddRow(Markup.Escape(m.Repository), Markup.Escape(m.Revision), Units.Bytes(m.TotalBytes), Markup.Escape(m.Folder));
            AnsiConsole.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }
}
