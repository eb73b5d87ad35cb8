using System.ComponentModel.DataAnnotations;

namespace Quarry.Parsing;

/// <summary>OCR through Debian's <c>tesseract-ocr</c>, for images and for PDF pages without a text layer.</summary>
public sealed class OcrOptions
{
    /// <summary>The <c>tesseract</c> executable (name on PATH or full path).</summary>
    [Required]
    public string TesseractPath { get; set; } = "tesseract";

    /// <summary>poppler's <c>pdftoppm</c>, which renders a scanned PDF page to an image for OCR.</summary>
    [Required]
    public string PdfToPpmPath { get; set; } = "pdftoppm";

    /// <summary>poppler's <c>pdfimages</c>, which says which pages carry images (only those are worth OCR).</summary>
    [Required]
    public string PdfImagesPath { get; set; } = "pdfimages";

    /// <summary>tesseract language packs, e.g. "eng" or "eng+deu" (each needs its tesseract-ocr-LANG package).</summary>
    [Required]
    public string Languages { get; set; } = "eng";

    /// <summary>How long one tool run (one image, one rendered page) may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Rendering resolution for scanned PDF pages; tesseract is most accurate around 300 dpi.</summary>
    [Range(72, 600)]
    public int Dpi { get; set; } = 300;

    /// <summary>A PDF page whose text layer has fewer characters than this (and that has an image) is OCR'd.</summary>
    [Range(0, 10_000)]
    public int MinPageChars { get; set; } = 20;

    /// <summary>Scanned PDFs with more pages needing OCR than this are rejected as too large (about 1–5 s per page).</summary>
    [Range(1, 100_000)]
    public int MaxOcrPages { get; set; } = 200;
}
