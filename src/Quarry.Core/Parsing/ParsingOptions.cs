using System.ComponentModel.DataAnnotations;

namespace Quarry.Parsing;

public sealed class ParsingOptions
{
    public const string SectionName = "Parsing";

    /// <summary>Largest source file accepted, in bytes. Larger files are rejected before any byte is parsed.</summary>
    [Range(1, long.MaxValue)]
    public long MaxFileBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Cap on the total uncompressed size of a ZIP-based document (DOCX, XLSX): defends against zip bombs.</summary>
    [Range(1, long.MaxValue)]
    public long MaxUncompressedBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Cap on the normalized text extracted from one document, in characters.</summary>
    [Range(1, int.MaxValue)]
    public int MaxExtractedChars { get; set; } = 64 * 1024 * 1024;

    /// <summary>Cap on structural elements of one document (HTML tags, blocks, spreadsheet cells), counted while reading.</summary>
    [Range(1, int.MaxValue)]
    public int MaxElements { get; set; } = 2_000_000;

    /// <summary>Deepest nesting accepted (HTML elements, Markdown quotes and lists), checked while reading, before the
    /// parser builds a tree: parsers' costs grow with depth.</summary>
    [Range(8, 100_000)]
    public int MaxNestingDepth { get; set; } = 512;

    /// <summary>OCR of images and scanned PDF pages (tesseract).</summary>
    public OcrOptions Ocr { get; set; } = new();

    /// <summary>The poppler <c>pdftotext</c> executable (name on PATH or full path).</summary>
    [Required]
    public string PdfToTextPath { get; set; } = "pdftotext";

    /// <summary>Which PDF text extractor runs: <see cref="PdfEngine.Auto"/> (default) uses the managed one.</summary>
    public PdfEngine PdfEngine { get; set; } = PdfEngine.Auto;

    /// <summary>How long PDF text extraction (either engine) may run for one file.</summary>
    public TimeSpan PdfTimeout { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>PDF text extractors. Auto is the managed one (measured closer to the reference text than pdftotext).</summary>
public enum PdfEngine
{
    Auto,
    Managed,
    PdfToText,
}
