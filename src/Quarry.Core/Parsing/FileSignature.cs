namespace Quarry.Parsing;

internal enum SignatureKind
{
    Text,
    Binary,
    Pdf,
    Zip,
    OleCompound,
}

/// <summary>Recognizes what the first bytes of a file really are, regardless of its name.</summary>
internal static class FileSignature
{
    public static SignatureKind Detect(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith("PK\u0003\u0004"u8) || bytes.StartsWith("PK\u0005\u0006"u8)) return SignatureKind.Zip;
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])) return SignatureKind.OleCompound;
        // The PDF header may follow some junk, but must be within the first 1024 bytes.
        if (bytes[..Math.Min(bytes.Length, 1024)].IndexOf("%PDF-"u8) >= 0) return SignatureKind.Pdf;
        if (TextDecoding.HasUtf16Bom(bytes)) return SignatureKind.Text;
        return TextDecoding.LooksBinary(bytes) ? SignatureKind.Binary : SignatureKind.Text;
    }

    public static string Describe(SignatureKind kind) => kind switch
    {
        SignatureKind.Pdf => "a PDF",
        SignatureKind.Zip => "a ZIP archive",
        SignatureKind.OleCompound => "an OLE compound file (legacy or encrypted Office document)",
        SignatureKind.Binary => "binary data",
        _ => "text",
    };
}
