using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Quarry.Parsing;

/// <summary>
/// The title from a PDF's document information, read with poppler's <c>pdfinfo</c> (installed beside
/// <c>pdftotext</c>). Optional: when the tool is missing, slow or the PDF has no title, the caller falls back.
/// </summary>
internal static class PdfInfo
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(10);

    /// <summary><c>pdfinfo</c> in the same place as the configured <c>pdftotext</c>.</summary>
    public static string ToolPath(string pdfToTextPath)
    {
        var directory = Path.GetDirectoryName(pdfToTextPath);
        return string.IsNullOrEmpty(directory) ? "pdfinfo" : Path.Combine(directory, "pdfinfo");
    }

    public static async Task<string?> ReadTitleAsync(string path, ParsingOptions settings, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(ToolPath(settings.PdfToTextPath))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var argument in new[] { "-enc", "UTF-8", path }) start.ArgumentList.Add(argument);
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception)
        {
            return null;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.PdfTimeout < MaxWait ? settings.PdfTimeout : MaxWait);
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            var output = await stdout.ConfigureAwait(false);
            await stderr.ConfigureAwait(false);
            if (process.ExitCode != 0) return null;
            foreach (var line in output.Split('\n'))
            {
                if (!line.StartsWith("Title:", StringComparison.Ordinal)) continue;
                var title = DocumentBuilder.CollapseWhitespace(line["Title:".Length..]);
                return title.Count(char.IsLetter) >= 3 ? title : null;
            }
            return null;
        }
        catch (OperationCanceledException)
        {
            try
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
            cancellationToken.ThrowIfCancellationRequested();
            return null;
        }
    }
}
