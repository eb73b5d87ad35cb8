using System.Text;

namespace Quarry.Parsing;

/// <summary>Strict, BOM-aware decoding for text formats, and a cheap check for bytes that are not text at all.</summary>
internal static class TextDecoding
{
    private const int SniffBytes = 8 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly UnicodeEncoding StrictUtf16Le = new(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true);
    private static readonly UnicodeEncoding StrictUtf16Be = new(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true);

    /// <summary>Decodes UTF-8 (or UTF-16 when a BOM says so); rejects binary content and invalid byte sequences.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string fileName)
    {
        Encoding encoding = StrictUtf8;
        var bomLength = 0;
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bomLength = 3;
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE])) (encoding, bomLength) = (StrictUtf16Le, 2);
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])) (encoding, bomLength) = (StrictUtf16Be, 2);
        else if (LooksBinary(bytes))
        {
            throw new DocumentRejectedException(RejectionReason.Binary, $"'{fileName}' contains binary data, not text.");
        }

        try
        {
            return encoding.GetString(bytes[bomLength..]);
        }
        catch (DecoderFallbackException ex)
        {
            throw new DocumentRejectedException(RejectionReason.InvalidEncoding,
                $"'{fileName}' is not valid {(encoding == StrictUtf8 ? "UTF-8" : "UTF-16")} text (invalid byte sequence at offset {ex.Index + bomLength}).", ex);
        }
    }

    /// <summary>NUL bytes, or more than 10% control characters other than whitespace, in the first 8 KB.</summary>
    public static bool LooksBinary(ReadOnlySpan<byte> bytes)
    {
        var head = bytes[..Math.Min(bytes.Length, SniffBytes)];
        if (head.Length == 0) return false;
        if (head.Contains((byte)0)) return true;
        var control = 0;
        foreach (var b in head)
        {
            if (b < 0x20 && b is not (byte)'\n' and not (byte)'\r' and not (byte)'\t' and not (byte)'\f' and not 0x1B) control++;
            else if (b == 0x7F) control++;
        }
        return control > head.Length / 10;
    }

    public static bool HasUtf16Bom(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]);
}
