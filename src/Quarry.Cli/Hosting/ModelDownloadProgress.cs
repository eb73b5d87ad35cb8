using System.Collections.Concurrent;
using System.Globalization;
using Quarry.Cli.Commands;
using Quarry.Cli.Output;
using Quarry.Models.Local.Hub;
using Spectre.Console;

namespace Quarry.Cli.Hosting;

/// <summary>Runs a model download with a progress bar per file on a terminal, or one line per file on stderr otherwise.</summary>
internal static class ModelDownloadProgress
{
    public static async Task<ModelManifest> RunAsync(HuggingFaceDownloader downloader, ModelReference model, CancellationToken cancellationToken, bool quiet = false)
    {
        if (quiet) return await downloader.PullAsync(model, null, cancellationToken);
        if (!IngestCommand.IsInteractive()) return await downloader.PullAsync(model, new PlainProgress(), cancellationToken);

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        ModelManifest? manifest = null;
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var tasks = new ConcurrentDictionary<string, ProgressTask>(StringComparer.Ordinal);
                var progress = new SynchronousProgress(p =>
                {
                    var task = tasks.GetOrAdd(p.File, file => context.AddTask(Markup.Escape(file), maxValue: Math.Max(1, p.Total ?? 1)));
                    if (p.Total is { } total) task.MaxValue = Math.Max(1, total);
                    task.Value = p.Downloaded;
                    if (p.Resumed) task.Description = Markup.Escape(p.File) + " [dim](resumed)[/]";
                    if (p.Done) task.Value = task.MaxValue;
                });
                manifest = await downloader.PullAsync(model, progress, cancellationToken);
            });
        return manifest!;
    }

    /// <summary>Progress&lt;T&gt; would post to the thread pool; the bar is thread-safe, so report in place.</summary>
    private sealed class SynchronousProgress(Action<DownloadProgress> report) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => report(value);
    }

    private sealed class PlainProgress : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value)
        {
            if (!value.Done) return;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {value.File,-36} {Units.Bytes(value.Downloaded),10}{(value.Resumed ? " (resumed)" : "")} verified"));
        }
    }
}
