using System.Text;
using Microsoft.Extensions.Options;

namespace Quarry.Parsing;

/// <summary>
/// PDF via the managed extractor (<see cref="ManagedPdfText"/>, default) or poppler's <c>pdftotext</c> in a subprocess (no shell): pages are split on form feeds and keep their numbers;
/// paragraphs are blank-line groups with wrapped and hyphenated lines joined. Bounded in time and output size.
/// </summary>
internal sealed class PdfParser(IOptions<ParsingOptions> options) : IDocumentParser
{
    public IReadOnlyCollection<string> Extensions { get; } = [".pdf"];
    public IReadOnlyCollection<string> ContentTypes { get; } = ["application/pdf"];

    public async Task<ParsedDocument> ParseAsync(ParserInput input, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var bytes = await ParserInputReader.ReadAllBytesAsync(input, settings.MaxFileBytes, cancellationToken).ConfigureAwait(false);
        if (FileSignature.Detect(bytes) != SignatureKind.Pdf)
        {
            throw new DocumentRejectedException(RejectionReason.Corrupt, $"'{input.FileName}' has no %PDF header: it is not a PDF.");
        }

        if (settings.PdfEngine != PdfEngine.PdfToText)
        {
            var managed = await ManagedPdfText.ExtractAsync(bytes, input.FileName, settings, cancellationToken).ConfigureAwait(false);
            return Build(await ScannedPdfPages.FillAsync(bytes, managed.Text, input.FileName, settings, cancellationToken).ConfigureAwait(false), input.FileName, managed.Title);
        }
        var path = Path.Combine(Path.GetTempPath(), "quarry-" + Guid.NewGuid().ToString("N") + ".pdf");
        try
        {
            await File.WriteAllBytesAsync(path, bytes, cancellationToken).ConfigureAwait(false);
            var text = await ExtractAsync(path, input.FileName, settings, cancellationToken).ConfigureAwait(false);
            text = await ScannedPdfPages.FillAsync(path, text, input.FileName, settings, cancellationToken).ConfigureAwait(false);
            var title = await PdfInfo.ReadTitleAsync(path, settings, cancellationToken).ConfigureAwait(false);
            return Build(text, input.FileName, title);
        }
        finally
        {
            try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static async Task<string> ExtractAsync(string path, string fileName, ParsingOptions settings, CancellationToken cancellationToken)
    {
        var result = await ToolProcess.RunAsync(settings.PdfToTextPath, ["-enc", "UTF-8", "-eol", "unix", path, "-"], fileName, settings.PdfTimeout,
            settings.MaxExtractedChars, "install poppler-utils (apt-get install poppler-utils)", "Parsing:PdfToTextPath", cancellationToken,
            timeoutSetting: "Parsing:PdfTimeout").ConfigureAwait(false);
        var errors = result.Errors;
        if (errors.Contains("password", StringComparison.OrdinalIgnoreCase) || errors.Contains("encrypt", StringComparison.OrdinalIgnoreCase))
        {
            throw new DocumentRejectedException(RejectionReason.Encrypted, $"'{fileName}' is an encrypted PDF that needs a password.");
        }
        if (result.ExitCode != 0 || (errors.Contains("Syntax Error", StringComparison.Ordinal) && result.Output.Trim().Length == 0))
        {
            throw new DocumentRejectedException(RejectionReason.Corrupt,
                $"'{fileName}' is a damaged or truncated PDF (pdftotext exit {result.ExitCode}: {ToolProcess.FirstLine(errors)}).");
        }
        return result.Output;
    }

    /// <param name="metadataTitle">The title from the PDF's document information, preferred when present.</param>
    internal static ParsedDocument Build(string text, string fileName, string? metadataTitle = null)
    {
        var pages = text.Split('\f');
        var pageCount = pages.Length > 1 && pages[^1].Trim().Length == 0 ? pages.Length - 1 : pages.Length;
        var builder = new DocumentBuilder();
        string? title = null;
        var opened = false;
        for (var p = 0; p < pageCount; p++)
        {
            builder.CurrentPage = p + 1;
            foreach (var paragraph in PlainTextParser.SplitParagraphs(pages[p]))
            {
                var joined = JoinLines(paragraph);
                // Without metadata, only a one-line opening paragraph reads as a title: a wrapped one is body text.
                if (!opened && IsMeaningful(joined))
                {
                    opened = true;
                    title = joined.Length <= 120 && !paragraph.Trim().Contains('\n', StringComparison.Ordinal) ? joined : null;
                }
                builder.AddParagraph(joined);
            }
        }
        return builder.Build(metadataTitle ?? title, ParserInputReader.FallbackTitle(fileName)) with { PageCount = pageCount };
    }

    /// <summary>Joins wrapped lines; "hyphen-\nated" becomes "hyphenated" when the next line starts in lower case.</summary>
    internal static string JoinLines(string paragraph)
    {
        var sb = new StringBuilder(paragraph.Length);
        foreach (var raw in paragraph.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0) continue;
            if (sb.Length > 0)
            {
                var last = sb[^1];
                var beforeLast = sb.Length > 1 ? sb[^2] : ' ';
                if (last == '-' && char.IsLetter(beforeLast) && char.IsLower(line[0])) sb.Length--;
                else sb.Append(' ');
            }
            sb.Append(line);
        }
        return sb.ToString();
    }

    private static bool IsMeaningful(string line) => line.Count(char.IsLetter) >= 3;
}
