namespace Quarry.Ingestion;

/// <summary>One thing to ingest: a file on disk, an upload, a fetched page.</summary>
/// <param name="SourceUri">Identity of the source; re-ingesting the same URI updates the same document.</param>
/// <param name="DisplayName">What reports show (a relative path for files).</param>
/// <param name="FileName">Name with extension; selects the parser when <paramref name="ContentType"/> is absent.</param>
/// <param name="Title">Overrides the title the parser finds (e.g. a record's title field).</param>
public sealed record IngestSource(
    string SourceUri,
    string DisplayName,
    string FileName,
    long Length,
    Func<CancellationToken, ValueTask<Stream>> OpenAsync,
    string? ContentType = null,
    string? Title = null)
{
    public static IngestSource FromFile(string path, string displayName)
    {
        var info = new FileInfo(path);
        return new IngestSource(
            new Uri(info.FullName).AbsoluteUri,
            displayName,
            info.Name,
            info.Length,
            _ => ValueTask.FromResult<Stream>(new FileStream(info.FullName, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read,
                Options = FileOptions.SequentialScan | FileOptions.Asynchronous,
                BufferSize = 64 * 1024,
            })));
    }

    public static IngestSource FromBytes(string sourceUri, string fileName, byte[] content, string? contentType = null, string? title = null) =>
        new(sourceUri, fileName, fileName, content.Length,
            _ => ValueTask.FromResult<Stream>(new MemoryStream(content, writable: false)), contentType, title);
}
