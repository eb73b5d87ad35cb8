
namespace Quarry.Tenancy;

/// <summary>
/// The role names a key or token may carry: the ordered roles, plus <c>bypass</c>, a reader that sees every document
/// of its tenant whatever the access lists (its use is audited).
/// </summary>
public static class KeyRoles
{
    public const string Bypass = "bypass";

    public static bool TryParse(string? name, out (ApiKeyRole Role, bool Bypass) parsed)
    {
        if (string.Equals(name, Bypass, StringComparison.OrdinalIgnoreCase))
        {
            parsed = (ApiKeyRole.Reader, true);
            return true;
        }
        var ok = ApiKeys.TryParseRole(name, out var role);
        parsed = (role, false);
        return ok;
    }

    /// <summary>The principal of a new key, or an error sentence.</summary>
    public static (KeyPrincipal? Principal, string? Error) Principal(bool bypass, string? user, IReadOnlyList<string>? groups)
    {
        if (user is { } u && (u.Trim().Length == 0 || u.Length > 200 || u.Any(char.IsControl)))
            return (null, "'user' must be 1-200 printable characters.");
        var clean = new List<string>();
        foreach (var group in groups ?? [])
        {
            if (string.IsNullOrWhiteSpace(group) || group.Length > 200 || group.Any(char.IsControl))
                return (null, "Each group must be 1-200 printable characters.");
            clean.Add(group.Trim());
        }
        if (clean.Count > Quarry.Access.AccessList.MaxEntries)
            return (null, $"A key has at most {Quarry.Access.AccessList.MaxEntries} groups.");
        return (new KeyPrincipal(user?.Trim(), [.. clean.Distinct(StringComparer.Ordinal)], bypass), null);
    }

    public static string Name(ApiKeyRole role, bool bypass) => bypass ? Bypass : role.ToString().ToLowerInvariant();
}
