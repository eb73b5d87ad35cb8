namespace Quarry.Parsing;

/// <summary>Reads a parser's input into memory without ever buffering more than the configured cap.</summary>
internal static class ParserInputReader
{
    public static async Task<byte[]> ReadAllBytesAsync(ParserInput input, long maxBytes, CancellationToken cancellationToken)
    {
        if (input.Length > maxBytes) throw TooLarge(input.FileName, maxBytes);
        if (input.Content is MemoryStream ms && ms.TryGetBuffer(out var segment) && ms.Position == 0 && segment.Offset == 0
            && segment.Count == segment.Array!.Length)
        {
            // The selector already buffered it: no second copy.
            return segment.Array;
        }

        var capacity = input.Length is { } known && known <= int.MaxValue ? (int)known : 0;
        using var buffer = new MemoryStream(capacity);
        var chunk = new byte[81920];
        long total = 0;
        int read;
        while ((read = await input.Content.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
            if (total > maxBytes) throw TooLarge(input.FileName, maxBytes);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    public static DocumentRejectedException TooLarge(string fileName, long maxBytes) =>
        new(RejectionReason.TooLarge, $"'{fileName}' is larger than the {maxBytes:N0}-byte limit (Parsing:MaxFileBytes).");

    public static string FallbackTitle(string fileName) => Path.GetFileNameWithoutExtension(fileName);
}
