using System.Diagnostics.CodeAnalysis;

namespace Quarry.Documents;

/// <summary>The organisation that owns data; every read and write is scoped to one.</summary>
public readonly record struct TenantId
{
    public TenantId(string value) => Value = IdentifierRules.Require(value, nameof(TenantId));
    public string Value { get; }
    /// <summary>The tenant used by the embedded single-user default.</summary>
    public static TenantId Default { get; } = new("default");
    public override string ToString() => Value;
}

/// <summary>A named collection of documents inside a tenant.</summary>
public readonly record struct KnowledgeBaseId
{
    public KnowledgeBaseId(string value) => Value = IdentifierRules.Require(value, nameof(KnowledgeBaseId));
    public string Value { get; }
    public override string ToString() => Value;
}

/// <summary>A document, stable across versions: derived from where it came from, not from its content.</summary>
public readonly record struct DocumentId
{
    public DocumentId(string value) => Value = IdentifierRules.Require(value, nameof(DocumentId));
    public string Value { get; }
    public override string ToString() => Value;
}

/// <summary>One chunk of one version of a document.</summary>
public readonly record struct ChunkId
{
    public ChunkId(string value) => Value = IdentifierRules.Require(value, nameof(ChunkId));
    public string Value { get; }
    public override string ToString() => Value;
}

internal static class IdentifierRules
{
    public const int MaxLength = 200;

    public static string Require([NotNull] string? value, string kind)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ArgumentException($"{kind} must not be empty.", nameof(value));
        if (value.Length > MaxLength)
            throw new ArgumentException($"{kind} must be at most {MaxLength} characters.", nameof(value));
        foreach (var c in value)
        {
            if (char.IsControl(c))
                throw new ArgumentException($"{kind} must not contain control characters.", nameof(value));
        }
        return value;
    }
}
