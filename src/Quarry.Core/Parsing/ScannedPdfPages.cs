using System.Globalization;
using System.Text;

namespace Quarry.Parsing;

/// <summary>
/// Fills in the pages of a PDF that have no text layer (scans, photographed pages): a page whose pdftotext output has
/// fewer than <see cref="OcrOptions.MinPageChars"/> characters and that carries an image is rendered with pdftoppm
/// and read by tesseract. Page numbers stay those of the PDF.
/// </summary>
internal static class ScannedPdfPages
{
    private const string PopplerHint = "install poppler-utils (apt-get install poppler-utils)";

    /// <summary>For an extractor that read the bytes in process: the PDF goes to a temporary file only when a page
    /// needs OCR.</summary>
    public static async Task<string> FillAsync(byte[] pdf, string text, string fileName, ParsingOptions settings, CancellationToken cancellationToken)
    {
        if (!Pages(text).Exists(p => CountVisible(p) < settings.Ocr.MinPageChars)) return text;
        using var file = new Ocr.TempFile(".pdf");
        await File.WriteAllBytesAsync(file.Path, pdf, cancellationToken).ConfigureAwait(false);
        return await FillAsync(file.Path, text, fileName, settings, cancellationToken).ConfigureAwait(false);
    }

    /// <param name="text">The extracted text, pages separated (or ended) by form feeds.</param>
    public static async Task<string> FillAsync(string pdfPath, string text, string fileName, ParsingOptions settings, CancellationToken cancellationToken)
    {
        var ocr = settings.Ocr;
        var pages = Pages(text);
        var sparse = Enumerable.Range(0, pages.Count).Where(i => CountVisible(pages[i]) < ocr.MinPageChars).ToList();
        if (sparse.Count == 0) return text;

        var withImages = await PagesWithImagesAsync(pdfPath, fileName, settings, cancellationToken).ConfigureAwait(false);
        var todo = sparse.Where(i => withImages is null || withImages.Contains(i + 1)).ToList();
        if (todo.Count == 0) return text;
        if (todo.Count > ocr.MaxOcrPages)
        {
            throw new DocumentRejectedException(RejectionReason.TooLarge,
                $"'{fileName}' has {todo.Count} scanned pages to OCR, more than {ocr.MaxOcrPages} (Parsing:Ocr:MaxOcrPages).");
        }

        var hasTextLayer = pages.Any(p => CountVisible(p) >= ocr.MinPageChars);
        try
        {
            foreach (var index in todo)
            {
                cancellationToken.ThrowIfCancellationRequested();
                pages[index] = await OcrPageAsync(pdfPath, index + 1, fileName, settings, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (DocumentRejectedException ex) when (ex.Reason == RejectionReason.ToolMissing && hasTextLayer)
        {
            // A mostly digital PDF with a scanned appendix is still worth its text layer when OCR is not installed.
            return text;
        }

        var sb = new StringBuilder();
        foreach (var page in pages) sb.Append(page).Append('\f');
        return sb.ToString();
    }

    private static async Task<string> OcrPageAsync(string pdfPath, int page, string fileName, ParsingOptions settings, CancellationToken cancellationToken)
    {
        var ocr = settings.Ocr;
        using var image = new Ocr.TempFile(".png");
        var prefix = image.Path[..^".png".Length];
        var number = page.ToString(CultureInfo.InvariantCulture);
        var render = await ToolProcess.RunAsync(ocr.PdfToPpmPath,
            ["-r", ocr.Dpi.ToString(CultureInfo.InvariantCulture), "-f", number, "-l", number, "-gray", "-png", "-singlefile", pdfPath, prefix],
            fileName, ocr.Timeout, 64 * 1024, PopplerHint, "Parsing:Ocr:PdfToPpmPath / Parsing:Ocr:Timeout", cancellationToken).ConfigureAwait(false);
        if (render.ExitCode != 0 || !File.Exists(image.Path))
        {
            throw new DocumentRejectedException(RejectionReason.Corrupt,
                $"page {page} of '{fileName}' could not be rendered for OCR (pdftoppm exit {render.ExitCode}: {ToolProcess.FirstLine(render.Errors)}).");
        }
        var text = await Ocr.RecognizeAsync(image.Path, $"{fileName} page {page}", settings, cancellationToken).ConfigureAwait(false);
        // One image is one page: tesseract's own trailing form feed must not shift the page numbers.
        return text.Replace('\f', '\n');
    }

    /// <summary>1-based pages that carry at least one image, or null when pdfimages is unavailable (then every sparse
    /// page is tried).</summary>
    private static async Task<HashSet<int>?> PagesWithImagesAsync(string pdfPath, string fileName, ParsingOptions settings, CancellationToken cancellationToken)
    {
        ToolProcess.Result result;
        try
        {
            result = await ToolProcess.RunAsync(settings.Ocr.PdfImagesPath, ["-list", pdfPath], fileName, settings.Ocr.Timeout,
                16 * 1024 * 1024, PopplerHint, "Parsing:Ocr:PdfImagesPath", cancellationToken).ConfigureAwait(false);
        }
        catch (DocumentRejectedException ex) when (ex.Reason == RejectionReason.ToolMissing)
        {
            return null;
        }
        if (result.ExitCode != 0) return null;
        var pages = new HashSet<int>();
        // "page num type width height ..." then a dashed rule, then one row per image.
        foreach (var line in result.Output.Split('\n').Skip(2))
        {
            var first = line.TrimStart().Split(' ', 2)[0];
            if (int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var page)) pages.Add(page);
        }
        return pages;
    }

    private static List<string> Pages(string text)
    {
        var pages = text.Split('\f').ToList();
        if (pages.Count > 1 && pages[^1].Trim().Length == 0) pages.RemoveAt(pages.Count - 1);
        return pages;
    }

    private static int CountVisible(string page) => page.Count(c => !char.IsWhiteSpace(c));
}
