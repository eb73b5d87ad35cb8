using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace Quarry.Privacy;

/// <summary>
/// PII masking. <see cref="Mode"/> is the default for every tenant; <see cref="Tenants"/> overrides it per tenant and,
/// within a tenant, per knowledge base (<c>Privacy:Tenants:acme:KnowledgeBases:hr:Mode=MaskStored</c>).
/// </summary>
public sealed class PrivacyOptions : IValidatableObject
{
    public const string SectionName = "Privacy";

    public PrivacyMode Mode { get; set; } = PrivacyMode.MaskOutput;

    public MaskStyle Style { get; set; } = MaskStyle.Label;

    /// <summary>Secret for <see cref="MaskStyle.Pseudonym"/> (at least 32 characters). Replicas must share it so a
    /// value gets the same pseudonym everywhere; without it, a key generated into the data directory is used.</summary>
    public string? PseudonymKey { get; set; }

    /// <summary>Which built-in recognizers run; null (the default) runs them all.</summary>
    public IList<PiiKind>? Recognizers { get; set; }

    /// <summary>Organisation-specific identifiers, e.g. <c>{ "Name": "ORDER", "Pattern": "ORD-\\d{8}" }</c>.</summary>
    public IList<CustomPiiPattern> Patterns { get; set; } = [];

    public Dictionary<string, TenantPrivacy> Tenants { get; set; } = new(StringComparer.Ordinal);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PseudonymKey is { Length: > 0 and < 32 })
            yield return new ValidationResult("Privacy:PseudonymKey must have at least 32 characters.", [nameof(PseudonymKey)]);
        foreach (var pattern in Patterns)
        {
            if (string.IsNullOrWhiteSpace(pattern.Name) || !Regex.IsMatch(pattern.Name, "^[A-Za-z][A-Za-z0-9_]{0,31}$"))
                yield return new ValidationResult($"Privacy:Patterns name '{pattern.Name}' must be a word of letters, digits and '_'.", [nameof(Patterns)]);
            string? error = null;
            try
            {
                _ = new Regex(pattern.Pattern ?? "", RegexOptions.None, TimeSpan.FromMilliseconds(100));
                if (string.IsNullOrEmpty(pattern.Pattern) || Regex.IsMatch("", pattern.Pattern)) error = "it must not match empty text";
            }
            catch (ArgumentException ex)
            {
                error = ex.Message;
            }
            if (error is not null)
                yield return new ValidationResult($"Privacy:Patterns '{pattern.Name}' is not a usable pattern: {error}", [nameof(Patterns)]);
        }
    }

    /// <summary>The mode for a knowledge base of a tenant (the knowledge base's, else the tenant's, else the default).</summary>
    public PrivacyMode ModeFor(string tenant, string? knowledgeBase)
    {
        if (!Tenants.TryGetValue(tenant, out var custom)) return Mode;
        if (knowledgeBase is not null && custom.KnowledgeBases.TryGetValue(knowledgeBase, out var kb) && kb.Mode is { } kbMode) return kbMode;
        return custom.Mode ?? Mode;
    }

    /// <summary>Whether anything that leaves the server for this tenant is masked: when the tenant or any of its
    /// knowledge bases masks (a response can mix knowledge bases, so the strictest wins).</summary>
    public bool MasksOutput(string tenant)
    {
        if (ModeFor(tenant, null) != PrivacyMode.Off) return true;
        return Tenants.TryGetValue(tenant, out var custom) && custom.KnowledgeBases.Values.Any(k => k.Mode is not null and not PrivacyMode.Off);
    }
}

public enum PrivacyMode
{
    /// <summary>Nothing is masked.</summary>
    Off,
    /// <summary>Originals are stored; everything that leaves the server (answers, streams, search, documents, audit,
    /// logs) is masked.</summary>
    MaskOutput,
    /// <summary>Masked between parsing and chunking, so originals are never stored; output is masked too.</summary>
    MaskStored,
}

public enum MaskStyle
{
    /// <summary><c>[EMAIL]</c>, <c>[PHONE]</c>, …</summary>
    Label,
    /// <summary>Enough left to recognise one's own data: <c>j***@example.com</c>, <c>**** **** **** 1111</c>.</summary>
    Partial,
    /// <summary>A stable per-tenant pseudonym, <c>[EMAIL_5f2c9a1e]</c>: the same value gets the same pseudonym, so
    /// joins and counts still work, and another tenant's pseudonyms do not match.</summary>
    Pseudonym,
}

public sealed class TenantPrivacy
{
    public PrivacyMode? Mode { get; set; }
    public Dictionary<string, KnowledgeBasePrivacy> KnowledgeBases { get; set; } = new(StringComparer.Ordinal);
}

public sealed class KnowledgeBasePrivacy
{
    public PrivacyMode? Mode { get; set; }
}

public sealed class CustomPiiPattern
{
    public string Name { get; set; } = "";
    public string? Pattern { get; set; }
}
