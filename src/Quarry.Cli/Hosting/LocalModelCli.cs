using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Quarry.Models.Local;
using Quarry.Models.Local.Hub;
using Quarry.Server.Hosting;

namespace Quarry.Cli.Hosting;

/// <summary>
/// The command line's side of local models: <c>--model-path DIR</c>, and first use: a configured hub model that is not
/// in the cache is downloaded before the command runs; when that fails (offline) the command goes on without it, on the
/// offline default, and says so. Selection and registration are <see cref="LocalModelConfiguration"/>'s.
/// </summary>
internal static class LocalModelCli
{
    public static readonly Option<DirectoryInfo?> ModelPath = new("--model-path")
    {
        Description = "Embed with the local model folder DIR (a Hugging Face model folder) instead of the configured embeddings provider.",
        Recursive = true,
    };

    public static ModelReference? SelectedEmbeddings(ParseResult result, IConfiguration configuration) =>
        LocalModelConfiguration.SelectedEmbeddings(configuration, result.GetValue(ModelPath)?.FullName);

    /// <summary>
    /// First use: downloads configured hub models missing from the cache (progress on stderr). A failure is reported
    /// and not thrown: the command then runs without that model.
    /// </summary>
    public static async Task PrepareAsync(ParseResult result, IConfiguration configuration, CancellationToken cancellationToken)
    {
        var hub = LocalModelConfiguration.HubOptions(configuration);
        var cache = ModelCache.FromOptions(hub);
        foreach (var model in new[] { SelectedEmbeddings(result, configuration), LocalModelConfiguration.SelectedReranker(configuration) })
        {
            if (model is null || model.IsLocal || cache.TryResolve(model) is not null) continue;
            if (!hub.AllowDownload)
            {
                await Console.Error.WriteLineAsync($"Model {model.Name} is not downloaded and Models:Hub:AllowDownload is off: run 'quarry models pull {model.Name}'.");
                continue;
            }
            await Console.Error.WriteLineAsync($"Model {model.Name} is not in {cache.Root}: downloading it from {hub.Endpoint} (once).");
            using var downloader = new HuggingFaceDownloader(hub, cache);
            try
            {
                await ModelDownloadProgress.RunAsync(downloader, model, cancellationToken);
            }
            catch (ModelDownloadException e)
            {
                await Console.Error.WriteLineAsync($"Cannot download {model.Name}: {e.Message}");
            }
        }
    }
}
