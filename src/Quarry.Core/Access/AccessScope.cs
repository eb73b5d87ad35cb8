using System.Security.Cryptography;
using System.Text;

namespace Quarry.Access;

/// <summary>
/// What one caller may read: the principals it acts as (<c>user:&lt;id&gt;</c> and one <c>group:&lt;name&gt;</c> per
/// group), or everything in its tenant (admins and the bypass role). Built once per request; stores turn it into one
/// set parameter of the ranking query, so the cost per candidate does not grow with the number of groups.
/// </summary>
public sealed class AccessScope
{
    private readonly HashSet<string> _principals;

    private AccessScope(bool bypass, IEnumerable<string> principals)
    {
        Bypass = bypass;
        _principals = new HashSet<string>(principals, StringComparer.Ordinal);
        Principals = [.. _principals.Order(StringComparer.Ordinal)];
        ScopeKey = bypass ? "bypass" : "p:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', Principals))))[..32];
    }

    /// <summary>Sees every document of the tenant. The default of a <see cref="Retrieval.SearchFilter"/>, for in-process
    /// callers (CLI, evaluation) that act as the tenant's operator; the server always sets the caller's scope.</summary>
    public static AccessScope Everything { get; } = new(true, []);

    /// <summary>Sees only documents without an access list.</summary>
    public static AccessScope OpenOnly { get; } = new(false, []);

    public bool Bypass { get; }

    /// <summary>Sorted, distinct; empty for a caller with neither user id nor groups.</summary>
    public IReadOnlyList<string> Principals { get; }

    /// <summary>
    /// A stable string naming what this caller can see, for keys of caches shared between callers (answers, search
    /// results): equal for two callers exactly when their principal sets are equal. Never contains a principal in clear.
    /// </summary>
    public string ScopeKey { get; }

    public static AccessScope For(string? user, IEnumerable<string>? groups)
    {
        var principals = new List<string>();
        if (!string.IsNullOrWhiteSpace(user)) principals.Add(AccessList.UserPrefix + user.Trim());
        foreach (var group in groups ?? [])
        {
            if (!string.IsNullOrWhiteSpace(group)) principals.Add(AccessList.GroupPrefix + group.Trim());
        }
        return new AccessScope(false, principals);
    }

    /// <summary>Whether a document with this access list is visible (an empty list is open to everyone of the knowledge base).</summary>
    public bool Permits(IReadOnlyList<string>? allow)
    {
        if (Bypass || allow is null || allow.Count == 0) return true;
        for (var i = 0; i < allow.Count; i++)
        {
            if (_principals.Contains(allow[i])) return true;
        }
        return false;
    }
}
