using System.Security.Cryptography;
using System.Text;

namespace Quarry.Embedding;

/// <summary>The cache key of a text: lower-case hex SHA-256 of the kind and the text.</summary>
public static class EmbeddingTextHash
{
    /// <remarks>
    /// The kind is part of the hashed input because some models embed queries and passages differently; whether a
    /// given embedder does is not visible through <see cref="IEmbedder"/>, so a query never reuses a passage's vector.
    /// </remarks>
    public static string Compute(string text, EmbeddingKind kind)
    {
        ArgumentNullException.ThrowIfNull(text);
        var prefix = kind == EmbeddingKind.Query ? "query\n" : "document\n";
        var bytes = new byte[Encoding.UTF8.GetByteCount(prefix) + Encoding.UTF8.GetByteCount(text)];
        var written = Encoding.UTF8.GetBytes(prefix, bytes);
        Encoding.UTF8.GetBytes(text, bytes.AsSpan(written));
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }
}
