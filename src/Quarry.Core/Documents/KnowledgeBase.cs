namespace Quarry.Documents;

public sealed record KnowledgeBase(
    KnowledgeBaseId Id,
    TenantId TenantId,
    string Name,
    DateTimeOffset CreatedAt,
    int DocumentCount = 0);

public static class KnowledgeBaseNames
{
    public const string Default = "default";
    public const int MaxLength = 100;

    /// <summary>Names appear in URLs and CLI arguments: letters, digits, '-', '_' and '.'.</summary>
    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= MaxLength &&
        name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && name[0] != '.';
}
