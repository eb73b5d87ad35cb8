using Microsoft.Extensions.Options;

namespace Quarry.Parsing;

/// <summary>
/// Scans and photos of text (PNG, JPEG, TIFF) through tesseract OCR. Each TIFF frame is a page; a single image is page 1,
/// so citations point at the page like for PDFs.
/// </summary>
internal sealed class ImageParser(IOptions<ParsingOptions> options) : IDocumentParser
{
    public IReadOnlyCollection<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".tif", ".tiff"];
    public IReadOnlyCollection<string> ContentTypes { get; } = ["image/png", "image/jpeg", "image/tiff"];

    public async Task<ParsedDocument> ParseAsync(ParserInput input, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var bytes = await ParserInputReader.ReadAllBytesAsync(input, settings.MaxFileBytes, cancellationToken).ConfigureAwait(false);
        var extension = Kind(bytes) ?? throw new DocumentRejectedException(RejectionReason.Corrupt,
            $"'{input.FileName}' is not a PNG, JPEG or TIFF image.");

        using var file = new Ocr.TempFile(extension);
        await File.WriteAllBytesAsync(file.Path, bytes, cancellationToken).ConfigureAwait(false);
        var text = await Ocr.RecognizeAsync(file.Path, input.FileName, settings, cancellationToken).ConfigureAwait(false);
        return PdfParser.Build(text, input.FileName);
    }

    /// <summary>The real image type by its magic bytes, whatever the name says; null when it is none of them.</summary>
    internal static string? Kind(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) return ".png";
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return ".jpg";
        if (bytes.StartsWith("II*\0"u8) || bytes.StartsWith("MM\0*"u8)) return ".tif";
        return null;
    }
}
