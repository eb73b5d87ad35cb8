using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Quarry.Parsing;

/// <summary>
/// Runs an external converter (tesseract, pdftoppm, pdfimages) without a shell, under a time limit and an output cap,
/// and turns "not installed", "too slow" and "too much output" into rejections a user can act on.
/// </summary>
internal static class ToolProcess
{
    public sealed record Result(int ExitCode, string Output, string Errors);

    /// <param name="installHint">Shown when the tool is absent, e.g. "install tesseract-ocr (apt-get install tesseract-ocr)".</param>
    /// <param name="setting">The configuration key naming the tool's path (and its time limit, unless
    /// <paramref name="timeoutSetting"/> names that).</param>
    public static async Task<Result> RunAsync(string tool, IEnumerable<string> arguments, string fileName, TimeSpan timeout,
        int maxOutputChars, string installHint, string setting, CancellationToken cancellationToken, string? timeoutSetting = null)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // tesseract's OpenMP threads would take every core from the other ingestion workers for little gain.
        start.Environment["OMP_THREAD_LIMIT"] = "1";

        using var process = new Process { StartInfo = start };
        var name = Path.GetFileName(tool);
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new DocumentRejectedException(RejectionReason.ToolMissing,
                $"{name} was not found: {installHint} or set {setting} (tried '{tool}').", ex);
        }

        // The converter's CPU counts against the document's budget (JobCpuMeter), like the parser's own.
        using var metered = JobCpuMeter.Current?.TrackTool(process);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var stdout = ReadCappedAsync(process.StandardOutput, maxOutputChars, limit.Token);
        var stderr = ReadCappedAsync(process.StandardError, 64 * 1024, limit.Token);
        try
        {
            var (output, truncated) = await stdout.ConfigureAwait(false);
            if (truncated)
            {
                Kill(process);
                throw new DocumentRejectedException(RejectionReason.TooLarge,
                    $"'{fileName}' yields more than {maxOutputChars:N0} characters of text (Parsing:MaxExtractedChars).");
            }
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            var (errors, _) = await stderr.ConfigureAwait(false);
            return new Result(process.ExitCode, output, errors);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Kill(process);
            throw new DocumentRejectedException(RejectionReason.Timeout,
                $"{name} did not finish '{fileName}' within {timeout.TotalSeconds:0.#} s ({timeoutSetting ?? setting}).");
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            throw;
        }
    }

    public static string FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no message";

    private static async Task<(string Text, bool Truncated)> ReadCappedAsync(StreamReader reader, int maxChars, CancellationToken cancellationToken)
    {
        var sb = new StringBuilder();
        var buffer = new char[16 * 1024];
        int read;
        while ((read = await reader.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (sb.Length + read > maxChars) return (sb.ToString(), true);
            sb.Append(buffer, 0, read);
        }
        return (sb.ToString(), false);
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited in between.
        }
    }
}
