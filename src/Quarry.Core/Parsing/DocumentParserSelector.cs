// Placeholder until the parsers branch lands (it replaces this file).
using Microsoft.Extensions.Options;

namespace Quarry.Parsing;

internal sealed class DocumentParserSelector(IEnumerable<IDocumentParser> parsers, IOptions<ParsingOptions> options)
{
    private readonly IDocumentParser[] _parsers = parsers.ToArray();
    public ParsingOptions Options { get; } = options.Value;

    public bool IsSupported(string fileName, string? contentType) =>
        _parsers.Any(p => p.Extensions.Contains(Path.GetExtension(fileName).ToLowerInvariant()));

    public Task<ParsedDocument> ParseAsync(ParserInput input, CancellationToken cancellationToken)
    {
        var parser = _parsers.FirstOrDefault(p => p.Extensions.Contains(Path.GetExtension(input.FileName).ToLowerInvariant()))
            ?? throw new DocumentRejectedException(RejectionReason.UnsupportedType, "unsupported");
        return parser.ParseAsync(input, cancellationToken);
    }
}
