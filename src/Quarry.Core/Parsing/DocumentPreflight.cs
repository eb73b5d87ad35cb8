namespace Quarry.Parsing;

/// <summary>
/// The checks an upload can pass or fail before it is queued: a supported type, not empty, and content that matches
/// its name (no binary named .txt, no ZIP named .pdf). Lets an API answer synchronously instead of accepting a file
/// that can only fail later.
/// </summary>
public sealed class DocumentPreflight
{
    /// <summary>How much of the file the checks read.</summary>
    public const int HeadBytes = 8 * 1024;

    private readonly DocumentParserSelector _selector;

    internal DocumentPreflight(DocumentParserSelector selector) => _selector = selector;

    /// <param name="head">The first <see cref="HeadBytes"/> bytes of the file (fewer when it is shorter).</param>
    /// <returns>Why the file would be rejected, or null.</returns>
    public DocumentRejectedException? Check(string fileName, string? contentType, ReadOnlySpan<byte> head, long length)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        return _selector.Preflight(fileName, contentType, head, length);
    }
}
