using System.IO.Compression;

namespace Quarry.Parsing;

/// <summary>
/// Checks a ZIP-based Office file before OpenXml inflates it: it would happily expand a zip bomb
/// into memory. Only the central directory is read here; nothing is decompressed.
/// </summary>
internal static class ZipGuard
{
    // Real Office parts compress about 5–20×; XML full of repeated runs may reach a few hundred. Beyond this it is a bomb.
    private const long MaxCompressionRatio = 1000;
    private const long RatioCheckFloor = 1024 * 1024;

    public static void Check(byte[] bytes, string fileName, long maxUncompressedBytes)
    {
        if (FileSignature.Detect(bytes) == SignatureKind.OleCompound)
        {
            throw new DocumentRejectedException(RejectionReason.Encrypted,
                $"'{fileName}' is an encrypted (password-protected) or legacy binary Office file: save it unprotected as .docx/.xlsx.");
        }

        try
        {
            using var archive = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
            long total = 0;
            foreach (var entry in archive.Entries)
            {
                total += entry.Length;
                if (total > maxUncompressedBytes)
                {
                    throw new DocumentRejectedException(RejectionReason.TooLarge,
                        $"'{fileName}' would expand to more than {maxUncompressedBytes:N0} bytes (Parsing:MaxUncompressedBytes).");
                }
                if (entry.Length > RatioCheckFloor && entry.Length > Math.Max(1, entry.CompressedLength) * MaxCompressionRatio)
                {
                    throw new DocumentRejectedException(RejectionReason.TooLarge,
                        $"'{fileName}' has an entry '{entry.FullName}' with an implausible compression ratio (zip bomb).");
                }
            }
        }
        catch (InvalidDataException ex)
        {
            throw new DocumentRejectedException(RejectionReason.Corrupt, $"'{fileName}' is not a valid ZIP-based Office file.", ex);
        }
    }
}
