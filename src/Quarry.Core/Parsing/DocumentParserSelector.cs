using Microsoft.Extensions.Options;
using Quarry.Diagnostics;

namespace Quarry.Parsing;

/// <summary>
/// The one entry point of the parse stage: picks the parser by content type, then by extension, checks the bytes are
/// what the name claims, enforces the size limits and turns every failure into a <see cref="DocumentRejectedException"/>.
/// </summary>
internal sealed class DocumentParserSelector
{
    private readonly IReadOnlyList<IDocumentParser> _parsers;
    private readonly IOptions<ParsingOptions> _options;

    public DocumentParserSelector(IEnumerable<IDocumentParser> parsers, IOptions<ParsingOptions> options)
    {
        _parsers = parsers.ToList();
        _options = options;
    }

    public bool IsSupported(string fileName, string? contentType) => Find(fileName, contentType) is not null;

    /// <summary>What can be told from the name, type, size and first bytes alone; null when nothing is wrong yet.</summary>
    public DocumentRejectedException? Preflight(string fileName, string? contentType, ReadOnlySpan<byte> head, long length)
    {
        var extension = Extension(fileName);
        var parser = Find(fileName, contentType);
        if (parser is null)
            return new DocumentRejectedException(RejectionReason.UnsupportedType,
                $"'{fileName}': files of type '{(extension.Length > 0 ? extension : contentType ?? "(none)")}' are not supported.");
        if (length == 0) return Empty(fileName);
        try
        {
            CheckSignature(parser, head.ToArray(), fileName, extension);
        }
        catch (DocumentRejectedException ex)
        {
            return ex;
        }
        var textual = parser is PlainTextParser or MarkdownParser or HtmlParser or CsvParser or JsonParser;
        if (textual && !TextDecoding.HasUtf16Bom(head) && TextDecoding.LooksBinary(head))
            return new DocumentRejectedException(RejectionReason.Binary, $"'{fileName}' contains binary data, not text.");
        return null;
    }

    public async Task<ParsedDocument> ParseAsync(ParserInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var stage = QuarryTelemetry.StartStage("parse");
        stage.Activity?.SetTag("quarry.file.extension", Extension(input.FileName));
        try
        {
            var document = await ParseCoreAsync(input, cancellationToken).ConfigureAwait(false);
            stage.Activity?.SetTag("quarry.parse.blocks", document.Blocks.Count);
            return document;
        }
        catch (DocumentRejectedException ex)
        {
            stage.Activity?.SetTag("quarry.parse.rejection", ex.Code);
            stage.Fail(ex);
            throw;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested || ExtractionBudget.Current?.IsExpired == true)
        {
            throw;
        }
        catch (Exception ex)
        {
            stage.Fail(ex);
            throw new DocumentRejectedException(RejectionReason.Corrupt,
                $"'{input.FileName}' could not be parsed: {ex.GetType().Name}: {ex.Message}", ex);
        }
    }

    private async Task<ParsedDocument> ParseCoreAsync(ParserInput input, CancellationToken cancellationToken)
    {
        var options = _options.Value;
        var extension = Extension(input.FileName);
        var parser = Find(input.FileName, input.ContentType) ?? throw new DocumentRejectedException(RejectionReason.UnsupportedType,
            $"'{input.FileName}': files of type '{(extension.Length > 0 ? extension : input.ContentType ?? "(none)")}' are not supported.");

        if (input.Length > options.MaxFileBytes || (input.Content.CanSeek && input.Content.Length - input.Content.Position > options.MaxFileBytes))
        {
            throw ParserInputReader.TooLarge(input.FileName, options.MaxFileBytes);
        }

        var bytes = await ParserInputReader.ReadAllBytesAsync(input, options.MaxFileBytes, cancellationToken).ConfigureAwait(false);
        if (bytes.Length == 0) throw Empty(input.FileName);
        CheckSignature(parser, bytes, input.FileName, extension);

        var buffered = input with { Content = new MemoryStream(bytes, 0, bytes.Length, writable: false, publiclyVisible: true), Length = bytes.Length };
        var document = await parser.ParseAsync(buffered, cancellationToken).ConfigureAwait(false);
        if (document.Blocks.Count == 0 || string.IsNullOrWhiteSpace(document.Text)) throw Empty(input.FileName);
        if (document.Text.Length > options.MaxExtractedChars)
        {
            throw new DocumentRejectedException(RejectionReason.TooLarge,
                $"'{input.FileName}' yields more than {options.MaxExtractedChars:N0} characters of text (Parsing:MaxExtractedChars).");
        }
        return document;
    }

    /// <summary>Catches files whose name lies about their content before a parser misreads them.</summary>
    private static void CheckSignature(IDocumentParser parser, byte[] bytes, string fileName, string extension)
    {
        var actual = FileSignature.Detect(bytes);
        var expected = parser switch
        {
            PdfParser => SignatureKind.Pdf,
            DocxParser or XlsxParser or PptxParser => SignatureKind.Zip,
            PlainTextParser or MarkdownParser or HtmlParser or CsvParser or JsonParser => SignatureKind.Text,
            _ => (SignatureKind?)null,
        };
        if (expected is null || actual == expected) return;
        if (expected == SignatureKind.Text)
        {
            throw new DocumentRejectedException(RejectionReason.Binary,
                $"'{fileName}' is named '{extension}' but contains {FileSignature.Describe(actual)}, not text.");
        }
        // An OLE file named .docx/.xlsx is most often an encrypted Office file; the parser explains. Unknown bytes are
        // left to the parser, which reports them as corrupt.
        if (actual is SignatureKind.Pdf or SignatureKind.Zip || (actual == SignatureKind.OleCompound && expected == SignatureKind.Pdf))
        {
            throw new DocumentRejectedException(RejectionReason.UnsupportedType,
                $"'{fileName}' is named '{extension}' but is actually {FileSignature.Describe(actual)}.");
        }
    }

    /// <summary>A specific media type wins over the extension; a generic one (what browsers and curl send for a file
    /// they do not know, e.g. <c>text/plain</c> for <c>.py</c>) defers to a specific extension.</summary>
    private IDocumentParser? Find(string fileName, string? contentType)
    {
        var mediaType = contentType?.Split(';', 2)[0].Trim();
        var extension = Extension(fileName);
        var byExtension = extension.Length == 0 ? null : _parsers.FirstOrDefault(p => p.Extensions.Contains(extension, StringComparer.OrdinalIgnoreCase));
        if (string.IsNullOrEmpty(mediaType)) return byExtension;
        if (byExtension is not null && GenericMediaTypes.Contains(mediaType)) return byExtension;
        return _parsers.FirstOrDefault(p => p.ContentTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase)) ?? byExtension;
    }

    private static readonly HashSet<string> GenericMediaTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "text/plain", "application/octet-stream", "binary/octet-stream", "application/x-download", "application/download",
    };

    private static string Extension(string fileName) => Path.GetExtension(fileName).ToLowerInvariant();

    private static DocumentRejectedException Empty(string fileName) =>
        new(RejectionReason.Empty, $"'{fileName}' contains no text.");
}
