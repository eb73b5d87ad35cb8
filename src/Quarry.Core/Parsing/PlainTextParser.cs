using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Quarry.Parsing;

/// <summary>Plain text: paragraphs are separated by blank lines; line breaks inside a paragraph are soft.</summary>
internal sealed partial class PlainTextParser(IOptions<ParsingOptions> options) : IDocumentParser
{
    public IReadOnlyCollection<string> Extensions { get; } = [".txt", ".text", ".log"];
    public IReadOnlyCollection<string> ContentTypes { get; } = ["text/plain"];

    public async Task<ParsedDocument> ParseAsync(ParserInput input, CancellationToken cancellationToken)
    {
        var bytes = await ParserInputReader.ReadAllBytesAsync(input, options.Value.MaxFileBytes, cancellationToken).ConfigureAwait(false);
        var text = TextDecoding.Decode(bytes, input.FileName);
        var builder = new DocumentBuilder();
        foreach (var paragraph in SplitParagraphs(text)) builder.AddParagraph(paragraph);
        return builder.Build(fallbackTitle: ParserInputReader.FallbackTitle(input.FileName));
    }

    internal static IEnumerable<string> SplitParagraphs(string text) =>
        BlankLines().Split(text.Replace("\r\n", "\n", StringComparison.Ordinal)).Where(p => p.Trim().Length > 0);

    [GeneratedRegex(@"\n[ \t\f\v]*\n\s*")]
    private static partial Regex BlankLines();
}
