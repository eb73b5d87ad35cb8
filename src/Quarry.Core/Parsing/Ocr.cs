namespace Quarry.Parsing;

/// <summary>tesseract in a subprocess: one image file in, its text out, pages (of a multi-page TIFF) split by form feeds.</summary>
internal static class Ocr
{
    private const string InstallHint = "install tesseract-ocr and tesseract-ocr-eng (apt-get install tesseract-ocr tesseract-ocr-eng)";

    public static async Task<string> RecognizeAsync(string imagePath, string fileName, ParsingOptions settings, CancellationToken cancellationToken)
    {
        var ocr = settings.Ocr;
        var result = await ToolProcess.RunAsync(ocr.TesseractPath, [imagePath, "stdout", "-l", ocr.Languages, "--psm", "3"], fileName,
            ocr.Timeout, settings.MaxExtractedChars, InstallHint, "Parsing:Ocr:TesseractPath / Parsing:Ocr:Timeout", cancellationToken)
            .ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            if (result.Errors.Contains("Failed loading language", StringComparison.OrdinalIgnoreCase))
            {
                throw new DocumentRejectedException(RejectionReason.ToolMissing,
                    $"tesseract has no '{ocr.Languages}' language data: install tesseract-ocr-{ocr.Languages.Split('+')[0]} or change Parsing:Ocr:Languages.");
            }
            throw new DocumentRejectedException(RejectionReason.Corrupt,
                $"'{fileName}' could not be read as an image (tesseract exit {result.ExitCode}: {ToolProcess.FirstLine(result.Errors)}).");
        }
        return result.Output;
    }

    /// <summary>A private temporary file (with the extension tesseract and poppler go by), deleted on dispose.</summary>
    public sealed class TempFile : IDisposable
    {
        public TempFile(string extension) =>
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "quarry-" + Guid.NewGuid().ToString("N") + extension);

        public string Path { get; }

        public void Dispose()
        {
            try { File.Delete(Path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
