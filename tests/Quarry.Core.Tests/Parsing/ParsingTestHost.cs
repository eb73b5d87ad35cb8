using Microsoft.Extensions.Options;
using Quarry.Parsing;

namespace Quarry.Core.Tests.Parsing;

internal static class ParsingTestHost
{
    public static DocumentParserSelector CreateSelector(Action<ParsingOptions>? configure = null)
    {
        var settings = new ParsingOptions();
        configure?.Invoke(settings);
        var options = Options.Create(settings);
        DocumentParserSelector? selector = null;
        IDocumentParser[] parsers =
        [
            new PlainTextParser(options), new MarkdownParser(options), new HtmlParser(options), new DocxParser(options),
            new PdfParser(options), new CsvParser(options), new XlsxParser(options), new JsonParser(options),
            .. ExtraFormats.Parsers(options, new Lazy<DocumentParserSelector>(() => selector!)),
        ];
        selector = new DocumentParserSelector(parsers, options);
        return selector;
    }

    public static async Task<ParsedDocument> ParseFileAsync(this DocumentParserSelector selector, string path)
    {
        await using var stream = File.OpenRead(path);
        return await selector.ParseAsync(new ParserInput(stream, Path.GetFileName(path), null, stream.Length), CancellationToken.None);
    }

    public static Task<ParsedDocument> ParseBytesAsync(this DocumentParserSelector selector, byte[] bytes, string fileName) =>
        selector.ParseAsync(new ParserInput(new MemoryStream(bytes), fileName, null, bytes.Length), CancellationToken.None);
}
