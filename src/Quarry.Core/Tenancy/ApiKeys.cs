using System.Security.Cryptography;
using System.Text;

namespace Quarry.Tenancy;

/// <summary>
/// API keys are 32 random bytes: a plain SHA-256 of such a key cannot be brute-forced, so no slow password hash is
/// needed and a lookup by hash stays one index probe per request.
/// </summary>
public static class ApiKeys
{
    public const string KeyPrefix = "qk_";

    /// <summary>A new key, shown to its owner once, and the hash that is stored.</summary>
    public static (string Key, string Hash) Generate()
    {
        var key = KeyPrefix + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        return (key, Hash(key));
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>The first characters of a key, kept to tell keys apart in listings without revealing them.</summary>
    public static string DisplayPrefix(string key) => key.Length <= 10 ? key : key[..10];

    public static bool TryParseRole(string? value, out ApiKeyRole role) =>
        Enum.TryParse(value, ignoreCase: true, out role) && Enum.IsDefined(role) && !int.TryParse(value, out _);

    /// <summary>Why a key cannot be limited to <paramref name="knowledgeBases"/>, or null. Admin keys manage the tenant
    /// (knowledge bases, keys), so they are never limited: a limited admin could mint itself an unlimited key.</summary>
    public static string? ScopeError(ApiKeyRole role, IReadOnlyList<string>? knowledgeBases) => knowledgeBases switch
    {
        null => null,
        _ when role == ApiKeyRole.Admin => "Admin keys cannot be limited to knowledge bases; limit reader or writer keys.",
        [] => "A limited key needs at least one knowledge base.",
        _ when knowledgeBases.Any(k => !Documents.KnowledgeBaseNames.IsValid(k)) => "Knowledge base names use letters, digits, '-', '_' or '.'.",
        _ => null,
    };

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
