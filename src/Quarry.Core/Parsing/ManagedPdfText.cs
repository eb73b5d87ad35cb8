using System.Text;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.DocumentLayoutAnalysis;
using UglyToad.PdfPig.DocumentLayoutAnalysis.PageSegmenter;
using UglyToad.PdfPig.DocumentLayoutAnalysis.ReadingOrderDetector;
using UglyToad.PdfPig.DocumentLayoutAnalysis.WordExtractor;
using UglyToad.PdfPig.Exceptions;

namespace Quarry.Parsing;

/// <summary>
/// PDF text in-process with PdfPig: the same shape as <c>pdftotext</c>'s output (pages separated by form feeds,
/// paragraphs by blank lines) so <see cref="PdfParser.Build"/> treats both alike. Needs no tool in the image, which is
/// what lets the container be a chiseled base; bounded by the same time and size limits, checked page by page.
/// </summary>
internal static class ManagedPdfText
{
    /// <param name="Title">The document information's title, when the PDF has one.</param>
    public sealed record Result(string Text, string? Title);

    public static Task<Result> ExtractAsync(byte[] bytes, string fileName, ParsingOptions settings, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.PdfTimeout);
        try
        {
            return Task.FromResult(Extract(bytes, fileName, settings.MaxExtractedChars, timeout.Token));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DocumentRejectedException(RejectionReason.Timeout,
                $"PDF text extraction did not finish '{fileName}' within {settings.PdfTimeout.TotalSeconds:0.#} s (Parsing:PdfTimeout).");
        }
    }

    private static Result Extract(byte[] bytes, string fileName, int maxChars, CancellationToken cancellationToken)
    {
        PdfDocument document;
        try
        {
            document = PdfDocument.Open(bytes);
        }
        catch (PdfDocumentEncryptedException ex)
        {
            throw new DocumentRejectedException(RejectionReason.Encrypted, $"'{fileName}' is an encrypted PDF that needs a password.", ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw Corrupt(fileName, ex);
        }

        using (document)
        {
            var text = new StringBuilder();
            for (var number = 1; number <= document.NumberOfPages; number++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    AppendPage(text, document.GetPage(number));
                }
                catch (Exception ex) when (ex is not OperationCanceledException and not DocumentRejectedException)
                {
                    throw Corrupt(fileName, ex);
                }
                text.Append('\f');
                if (text.Length > maxChars)
                {
                    throw new DocumentRejectedException(RejectionReason.TooLarge,
                        $"'{fileName}' yields more than {maxChars:N0} characters of text (Parsing:MaxExtractedChars).");
                }
            }
            var title = document.Information.Title?.Trim();
            return new Result(text.ToString(), string.IsNullOrEmpty(title) ? null : title);
        }
    }

    /// <summary>Words → text blocks (Docstrum) → reading order; one paragraph per block, its lines kept as lines.</summary>
    private static void AppendPage(StringBuilder text, Page page)
    {
        var words = NearestNeighbourWordExtractor.Instance.GetWords(page.Letters);
        var blocks = DocstrumBoundingBoxes.Instance.GetBlocks(words);
        foreach (var block in UnsupervisedReadingOrderDetector.Instance.Get(blocks))
        {
            foreach (var line in block.TextLines) text.Append(LineText(line)).Append('\n');
            text.Append('\n');
        }
    }

    /// <summary>PdfPig yields glyphs in visual (left-to-right) order; Arabic and Hebrew text is read right to left, so
    /// such words and lines are put back in logical order, and presentation-form glyphs become plain letters (NFKC).</summary>
    private static string LineText(TextLine line)
    {
        var words = line.Words;
        var rtl = words.Count(w => IsRightToLeft(w.Text));
        if (rtl == 0) return line.Text;
        var ordered = rtl * 2 >= words.Count ? words.OrderByDescending(w => w.BoundingBox.Left) : words.OrderBy(w => w.BoundingBox.Left);
        var text = string.Join(' ', ordered.Select(w => IsRightToLeft(w.Text)
            ? string.Concat(w.Letters.OrderByDescending(l => l.BoundingBox.Left).Select(l => l.Value))
            : w.Text));
        return text.Normalize(NormalizationForm.FormKC);
    }

    private static bool IsRightToLeft(string text) => text.Any(c => c is >= '\u0590' and <= '\u08FF' or >= '\uFB1D' and <= '\uFDFF' or >= '\uFE70' and <= '\uFEFF');

    /// <summary>PdfPig reports some encryption schemes it cannot open with other exception types; like the pdftotext
    /// path, the message decides.</summary>
    private static DocumentRejectedException Corrupt(string fileName, Exception ex) =>
        ex.Message.Contains("encrypt", StringComparison.OrdinalIgnoreCase) || ex.Message.Contains("password", StringComparison.OrdinalIgnoreCase)
            ? new(RejectionReason.Encrypted, $"'{fileName}' is an encrypted PDF that needs a password.", ex)
            : new(RejectionReason.Corrupt, $"'{fileName}' is a damaged or truncated PDF ({ex.Message}).", ex);
}
