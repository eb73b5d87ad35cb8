namespace Quarry.Parsing;

/// <summary>
/// Turns the bytes of one file into normalized text plus structure. Implementations are selected by content type or
/// file extension; they must not buffer more than <see cref="ParsingOptions.MaxFileBytes"/> and must throw
/// <see cref="DocumentRejectedException"/> for input they cannot use.
/// </summary>
public interface IDocumentParser
{
    /// <summary>Lower-case extensions with the dot, e.g. ".md".</summary>
    IReadOnlyCollection<string> Extensions { get; }

    /// <summary>Media types such as "text/markdown".</summary>
    IReadOnlyCollection<string> ContentTypes { get; }

    Task<ParsedDocument> ParseAsync(ParserInput input, CancellationToken cancellationToken);
}

/// <param name="Content">A readable stream positioned at the start of the file.</param>
/// <param name="FileName">The file name (with extension) used for the fallback title.</param>
/// <param name="Length">Byte length when known.</param>
public sealed record ParserInput(Stream Content, string FileName, string? ContentType = null, long? Length = null);
