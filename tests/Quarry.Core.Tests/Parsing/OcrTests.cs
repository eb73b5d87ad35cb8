using System.Runtime.CompilerServices;
using System.Text;
using Quarry.Parsing;
using Xunit.Abstractions;

namespace Quarry.Core.Tests.Parsing;

/// <summary>
/// Images and scanned PDF pages through the real tesseract (installed here and in CI by .ci/run). The fixtures are two
/// crops of page 1 of the shared multi_page.pdf rendered by pdftoppm at 150 dpi (PNG 1-bit, JPEG quality 30).
/// </summary>
public sealed class OcrTests(ITestOutputHelper output)
{
    private const string PngText = """
        The Evolution of the Word Processor
        The concept of the word processor predates modern computers and has evolved through several technological milestones.
        Pre-Digital Era (19th - Early 20th Century)
        The origins of word processing can be traced back to the invention of the typewriter in the mid-19th century.
        Patented in 1868 by Christopher Latham Sholes, the typewriter
        """;

    [Fact]
    public async Task A_png_is_read_by_ocr_as_page_one()
    {
        var document = await ParsingTestHost.CreateSelector().ParseFileAsync(FixturePath("ocr-sample.png"));

        var f1 = TextSimilarity.TokenF1(PngText, document.Text);
        output.WriteLine($"OCR token F1 (png, 150 dpi, 1-bit) = {f1:F3}\n{document.Text}");
        f1.Should().BeGreaterThanOrEqualTo(0.95);
        document.Text.Should().Contain("Christopher Latham Sholes").And.Contain("1868");
        document.Blocks.Should().OnlyContain(b => b.Page == 1);
        document.PageCount.Should().Be(1);
    }

    [Fact]
    public async Task A_jpeg_is_read_by_ocr()
    {
        var document = await ParsingTestHost.CreateSelector().ParseFileAsync(FixturePath("ocr-sample.jpg"));

        output.WriteLine(document.Text);
        document.Text.Should().Contain("carbon paper").And.Contain("electric typewriter").And.Contain("IBM in 1935");
    }

    [Theory]
    [InlineData(PdfEngine.Managed)]
    [InlineData(PdfEngine.PdfToText)]
    public async Task A_scanned_pdf_page_is_ocrd_and_keeps_its_page_number(PdfEngine engine)
    {
        var jpeg = await File.ReadAllBytesAsync(FixturePath("ocr-sample.jpg"));
        var pdf = TwoPagePdf("Quarterly overview with a real text layer on the first page.", jpeg);

        var document = await ParsingTestHost.CreateSelector(o => o.PdfEngine = engine).ParseBytesAsync(pdf, "scan.pdf");

        output.WriteLine(document.Text);
        document.PageCount.Should().Be(2);
        var pageOne = string.Join("\n", document.Blocks.Where(b => b.Page == 1).Select(document.TextOf));
        var pageTwo = string.Join("\n", document.Blocks.Where(b => b.Page == 2).Select(document.TextOf));
        pageOne.Should().Contain("real text layer");
        pageTwo.Should().Contain("carbon paper").And.Contain("IBM in 1935");
    }

    [Fact]
    public async Task A_missing_tesseract_is_named_with_the_package_to_install()
    {
        var selector = ParsingTestHost.CreateSelector(o => o.Ocr.TesseractPath = "/nonexistent/tesseract");

        var act = () => selector.ParseFileAsync(FixturePath("ocr-sample.png"));

        var rejection = (await act.Should().ThrowAsync<DocumentRejectedException>()).Which;
        rejection.Reason.Should().Be(RejectionReason.ToolMissing);
        rejection.Message.Should().Contain("tesseract-ocr");
    }

    [Fact]
    public async Task A_pdf_with_a_text_layer_keeps_it_when_tesseract_is_missing()
    {
        var jpeg = await File.ReadAllBytesAsync(FixturePath("ocr-sample.jpg"));
        var pdf = TwoPagePdf("Quarterly overview with a real text layer on the first page.", jpeg);
        var selector = ParsingTestHost.CreateSelector(o => o.Ocr.TesseractPath = "/nonexistent/tesseract");

        var document = await selector.ParseBytesAsync(pdf, "scan.pdf");

        document.Text.Should().Contain("real text layer").And.NotContain("carbon paper");
    }

    [Fact]
    public async Task A_pdf_with_only_scanned_pages_needs_tesseract()
    {
        var jpeg = await File.ReadAllBytesAsync(FixturePath("ocr-sample.jpg"));
        var pdf = TwoPagePdf(" ", jpeg);
        var selector = ParsingTestHost.CreateSelector(o => o.Ocr.TesseractPath = "/nonexistent/tesseract");

        var act = () => selector.ParseBytesAsync(pdf, "scan.pdf");

        (await act.Should().ThrowAsync<DocumentRejectedException>()).Which.Reason.Should().Be(RejectionReason.ToolMissing);
    }

    [Fact]
    public async Task A_truncated_png_is_rejected_as_corrupt()
    {
        byte[] bytes = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3];

        var act = () => ParsingTestHost.CreateSelector().ParseBytesAsync(bytes, "picture.png");

        (await act.Should().ThrowAsync<DocumentRejectedException>()).Which.Reason.Should().Be(RejectionReason.Corrupt);
    }

    [Fact]
    public async Task Text_named_png_is_not_an_image()
    {
        var act = () => ParsingTestHost.CreateSelector().ParseBytesAsync("hello"u8.ToArray(), "notes.png");

        (await act.Should().ThrowAsync<DocumentRejectedException>()).Which.Reason.Should().Be(RejectionReason.Corrupt);
    }

    internal static string FixturePath(string name, [CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "Fixtures", name);

    /// <summary>A two-page PDF: page 1 has a Helvetica text line, page 2 only the JPEG (a "scan", no text layer).</summary>
    internal static byte[] TwoPagePdf(string pageOneText, byte[] jpeg)
    {
        var (width, height, components) = JpegSize(jpeg);
        var textStream = $"BT /F1 14 Tf 72 720 Td ({pageOneText}) Tj ET";
        // 150 dpi pixels → points, so pdftoppm at 300 dpi renders the scan at twice its resolution.
        var imageStream = $"q {width * 72 / 150} 0 0 {height * 72 / 150} 54 600 cm /Im1 Do Q";
        var objects = new List<byte[]>
        {
            Ascii("<< /Type /Catalog /Pages 2 0 R >>"),
            Ascii("<< /Type /Pages /Kids [3 0 R 5 0 R] /Count 2 >>"),
            Ascii("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 6 0 R >>"),
            Ascii("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"),
            Ascii("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im1 7 0 R >> >> /Contents 8 0 R >>"),
            Stream("", Ascii(textStream)),
            Stream($"/Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace /{(components == 1 ? "DeviceGray" : "DeviceRGB")} /BitsPerComponent 8 /Filter /DCTDecode", jpeg),
            Stream("", Ascii(imageStream)),
        };
        using var pdf = new MemoryStream();
        pdf.Write(Ascii("%PDF-1.4\n"));
        var offsets = new List<long>();
        for (var i = 0; i < objects.Count; i++)
        {
            offsets.Add(pdf.Position);
            pdf.Write(Ascii($"{i + 1} 0 obj\n"));
            pdf.Write(objects[i]);
            pdf.Write(Ascii("\nendobj\n"));
        }
        var xref = pdf.Position;
        var table = new StringBuilder($"xref\n0 {objects.Count + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets) table.Append($"{offset:D10} 00000 n \n");
        table.Append($"trailer\n<< /Size {objects.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        pdf.Write(Ascii(table.ToString()));
        return pdf.ToArray();
    }

    private static byte[] Stream(string dictionary, byte[] data) =>
        [.. Ascii($"<< {dictionary} /Length {data.Length} >>\nstream\n"), .. data, .. Ascii("\nendstream")];

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    /// <summary>Width, height and colour components from the baseline SOF0 marker.</summary>
    private static (int Width, int Height, int Components) JpegSize(byte[] jpeg)
    {
        for (var i = 2; i + 8 < jpeg.Length; i++)
        {
            if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xC0) return ((jpeg[i + 7] << 8) | jpeg[i + 8], (jpeg[i + 5] << 8) | jpeg[i + 6], jpeg[i + 9]);
        }
        throw new InvalidOperationException("no SOF0 marker in the JPEG fixture");
    }
}
