using System.Diagnostics;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using Quarry.Core.Tests.TestSupport;
using Quarry.Parsing;

namespace Quarry.Core.Tests.Parsing;

public sealed class RejectionTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("quarry-parsing-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task Empty_file_is_rejected_as_empty()
    {
        var act = () => ParsingTestHost.CreateSelector().ParseBytesAsync([], "empty.txt");
        (await act.Should().ThrowAsync<DocumentRejectedException>()).Which.Reason.Should().Be(RejectionReason.Empty);
    }

    [Fact]
    public async Task Whitespace_only_markdown_is_rejected_as_empty()
    {
        var act = () => ParsingTestHost.CreateSelector().ParseBytesAsync(Encoding.UTF8.GetBytes(" \n\n\t\n"), "blank.md");
        (await act.Should().ThrowAsync<DocumentRejectedException>()).Which.Reason.Should().Be(RejectionReason.Empty);
    }

    [Fact]
    public async Task Binary_garbage_named_txt_is_rejected_as_binary()
    {
        var garbage = new byte[4096];
        new Random(42).NextBytes(garbage);
        var act = () => ParsingTestHost.CreateSelector().ParseBytesAsync(garbage, "notes.txt");
        (await act.Should().ThrowAsync<DocumentRejectedException>()).Which.Reason.Should().Be(RejectionReason.Binary);
    }

    [Fact]
    public async Task Zip_named_txt_is_rejected_as_binary()
    {
        var act = () => ParsingTestHost.CreateSelector().ParseBytesAsync(Zip(("a.txt", 100)), "notes.txt");
        (await act.Should().ThrowAsync<DocumentRejectedException>()).Which.Reason.Should().Be(RejectionReason.Binary);
    }

    [Fact]
    public async Task Invalid_utf8_is_rejected_as_invalid_encoding()
    {
        var bytes = Encoding.UTF8.GetBytes("Caf").Concat(new byte[] { 0xE9, 0x20, 0x6F, 0x6B }).ToArray(); // Latin-1 "é"
        var act = () => ParsingTestHost.CreateSelector().ParseBytesAsync(bytes, "menu.txt");
        (await act.Should().ThrowAsync<DocumentRejectedException>()).Which.Reason.Should().Be(RejectionReason.InvalidEncoding);
    }

    [Fact]
    public async Task Utf16_text_with_bom_is_decoded()
    {
        var bytes = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("Hello\r\n\r\nWorld")).ToArray();
        var document = await ParsingTestHost.CreateSelector().ParseBytesAsync(bytes, "hello.txt");
        document.Blocks.Should().HaveCount(2);
        document.Text.Should().Be("Hello\n\nWorld");
    }

    [Fact]
    public async Task Truncated_pdf_is_rejected_as_corrupt()
    {
        if (SharedPdf() is not { } pdf) return;
        var source = await File.ReadAllBytesAsync(pdf);
        var act = () => ParsingTestHost.CreateSelector().ParseBytesAsync(source[..(source.Length / 2)], "half.pdf");
        (await act.Should().ThrowAsync<DocumentRejectedException>()).Which.Reason.Should().Be(RejectionReason.Corrupt);
    }

    [Fact]
    public async Task Pdf_without_header_is_rejected_as_corrupt()
    {
        var act = () => ParsingTestHost.CreateSelector().ParseBytesAsync(Encoding.UTF8.GetBytes("just some text"), "fake.pdf");
        (await act.Should().ThrowAsync<DocumentRejectedException>()).Which.Reason.Should().Be(RejectionReason.Corrupt);
    }

    [Fact]
    public async Task Encrypted_pdf_is_rejected_as_encrypted()
    {
        var encrypted = Path.Combine(_temp, "locked.pdf");
        if (File.Exists("/usr/bin/qpdf"))
        {
            var start = new ProcessStartInfo("/usr/bin/qpdf") { RedirectStandardError = true, RedirectStandardOutput = true };
            var plain = Path.Combine(_temp, "plain.pdf");
            await File.WriteAllBytesAsync(plain, TextPdf());
            foreach (var a in new[] { "--encrypt", "user", "owner", "256", "--", plain, encrypted }) start.ArgumentList.Add(a);
            using var qpdf = Process.Start(start)!;
            await qpdf.WaitForExitAsync();
            qpdf.ExitCode.Should().BeOneOf(0, 3); // 3 = succeeded with warnings
        }
        else
        {
            encrypted = FixturePath("encrypted.pdf");
        }
        var act = () => ParsingTestHost.CreateSelector().ParseFileAsync(encrypted);
        (await act.Should().ThrowAsync<DocumentRejectedException>()).Which.Reason.Should().Be(RejectionReason.Encrypted);
    }

    [Fact]
    public async Task Missing_pdftotext_is_reported_with_the_package_to_install()
    {
        var selector = ParsingTestHost.CreateSelector(o => { o.PdfEngine = PdfEngine.PdfToText; o.PdfToTextPath = "/nonexistent/pdftotext"; });
        var act = () => selector.ParseBytesAsync(MinimalPdf(), "doc.pdf");
        var rejection = (await act.Should().ThrowAsync<DocumentRejectedException>()).Which;
        rejection.Reason.Should().Be(RejectionReason.ToolMissing);
        rejection.Message.Should().Contain("poppler-utils");
    }

    [Fact]
    public async Task Docx_zip_bomb_is_rejected_before_inflating()
    {
        var bomb = Zip(("word/document.xml", 4 * 1024 * 1024));
        var selector = ParsingTestHost.CreateSelector(o => o.MaxUncompressedBytes = 1024 * 1024);
        var act = () => selector.ParseBytesAsync(bomb, "bomb.docx");
        (await act.Should().ThrowAsync<DocumentRejectedException>()).Which.Reason.Should().Be(RejectionReason.TooLarge);
    }

    [Fact]
    public async Task Docx_with_absurd_compression_ratio_is_rejected()
    {
        var bomb = Zip(("word/document.xml", 16 * 1024 * 1024));
        var act = () => ParsingTestHost.CreateSelector().ParseBytesAsync(bomb, "bomb.docx");
        (await act.Should().ThrowAsync<DocumentRejectedException>()).Which.Reason.Should().Be(RejectionReason.TooLarge);
    }

    [Fact]
    public async Task Ole_file_named_docx_is_rejected_as_encrypted()
    {
        byte[] ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, .. new byte[504]];
        var act = () => ParsingTestHost.CreateSelector().ParseBytesAsync(ole, "secret.docx");
        (await act.Should().ThrowAsync<DocumentRejectedException>()).Which.Reason.Should().Be(RejectionReason.Encrypted);
    }

    [Fact]
    public async Task Garbage_named_docx_is_rejected_as_corrupt()
    {
        var act = () => ParsingTestHost.CreateSelector().ParseBytesAsync(Encoding.UTF8.GetBytes("not a zip at all"), "broken.docx");
        (await act.Should().ThrowAsync<DocumentRejectedException>()).Which.Reason.Should().Be(RejectionReason.Corrupt);
    }

    [Fact]
    public async Task Pdf_named_docx_is_rejected_as_unsupported_type()
    {
        var act = () => ParsingTestHost.CreateSelector().ParseBytesAsync(MinimalPdf(), "report.docx");
        var rejection = (await act.Should().ThrowAsync<DocumentRejectedException>()).Which;
        rejection.Reason.Should().Be(RejectionReason.UnsupportedType);
        rejection.Message.Should().Contain(".docx");
    }

    [Theory]
    [InlineData("slides.ppt")]
    [InlineData("archive.zip")]
    [InlineData("noextension")]
    public async Task Unsupported_extension_is_rejected_with_the_extension_named(string fileName)
    {
        var selector = ParsingTestHost.CreateSelector();
        selector.IsSupported(fileName, null).Should().BeFalse();
        var act = () => selector.ParseBytesAsync([1, 2, 3], fileName);
        var rejection = (await act.Should().ThrowAsync<DocumentRejectedException>()).Which;
        rejection.Reason.Should().Be(RejectionReason.UnsupportedType);
        rejection.Message.Should().Contain(Path.GetExtension(fileName) is { Length: > 0 } extension ? extension : fileName);
    }

    [Fact]
    public async Task File_larger_than_the_limit_is_rejected_without_reading_it()
    {
        var selector = ParsingTestHost.CreateSelector(o => o.MaxFileBytes = 10);
        var stream = new UnreadableStream();
        var act = () => selector.ParseAsync(new ParserInput(stream, "big.txt", "text/plain", 1_000), CancellationToken.None);
        (await act.Should().ThrowAsync<DocumentRejectedException>()).Which.Reason.Should().Be(RejectionReason.TooLarge);
    }

    [Fact]
    public async Task Stream_longer_than_the_limit_is_rejected_while_reading()
    {
        var selector = ParsingTestHost.CreateSelector(o => o.MaxFileBytes = 10);
        var act = () => selector.ParseAsync(new ParserInput(new MemoryStream(new byte[100]), "big.txt"), CancellationToken.None);
        (await act.Should().ThrowAsync<DocumentRejectedException>()).Which.Reason.Should().Be(RejectionReason.TooLarge);
    }

    [Theory]
    [InlineData("{\"a\": [1, 2,,]}")]
    [InlineData("{\"unterminated\": \"x")]
    public async Task Invalid_json_is_rejected_as_corrupt(string json)
    {
        var act = () => ParsingTestHost.CreateSelector().ParseBytesAsync(Encoding.UTF8.GetBytes(json), "data.json");
        (await act.Should().ThrowAsync<DocumentRejectedException>()).Which.Reason.Should().Be(RejectionReason.Corrupt);
    }

    /// <summary>A real PDF from ../shared, or null (the test then passes vacuously: xunit 2 cannot skip at run time).</summary>
    private static string? SharedPdf() =>
        SharedData.Available ? SharedData.Path("datasets", "parser-testdata", "pdf", "sources", "multi_page.pdf") : null;

    private static string FixturePath(string name, [CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "Fixtures", name);

    /// <summary>A one-page PDF with one line of text (qpdf repairs the missing xref table).</summary>
    private static byte[] TextPdf() => Encoding.ASCII.GetBytes("""
        %PDF-1.4
        1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
        2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
        3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >> endobj
        4 0 obj << /Length 44 >> stream
        BT /F1 18 Tf 20 60 Td (Secret text) Tj ET
        endstream endobj
        5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj
        trailer << /Root 1 0 R >>
        %%EOF
        """);

    /// <summary>A ZIP whose entries are runs of one byte: tiny compressed, large declared size.</summary>
    private static byte[] Zip(params (string Name, int Size)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, size) in entries)
            {
                using var entry = archive.CreateEntry(name, CompressionLevel.SmallestSize).Open();
                var block = new byte[64 * 1024];
                Array.Fill(block, (byte)'a');
                for (var written = 0; written < size; written += block.Length) entry.Write(block, 0, Math.Min(block.Length, size - written));
            }
        }
        return buffer.ToArray();
    }

    private static byte[] MinimalPdf() => Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n");

    /// <summary>Fails the test if anything reads it: the size check must come first.</summary>
    private sealed class UnreadableStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => 0; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new InvalidOperationException("read before the size check");
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
