using System.Security.Claims;
using Quarry.Documents;
using Quarry.Tenancy;

namespace Quarry.Server.Auth;

/// <summary>Who is calling: read from the principal the API-key handler built. Endpoints take the tenant from here
/// and only from here, so no request body or route can name another tenant.</summary>
internal static class Caller
{
    public const string TenantClaim = "quarry:tenant";
    public const string RoleClaim = "quarry:role";
    public const string KeyClaim = "quarry:key";
    /// <summary>One claim per knowledge base a limited key may use; none means every knowledge base of the tenant.</summary>
    public const string KnowledgeBaseClaim = "quarry:kb";
    private const string ScopeClaim = "quarry:kb-scope";

    public static ClaimsPrincipal Principal(TenantId tenant, ApiKeyRole role, string keyId, IReadOnlyList<string>? knowledgeBases = null)
    {
        var claims = new List<Claim>
        {
            new(TenantClaim, tenant.Value),
            new(RoleClaim, role.ToString()),
            new(KeyClaim, keyId),
        };
        if (knowledgeBases is not null)
        {
            claims.Add(new Claim(ScopeClaim, "limited"));
            claims.AddRange(knowledgeBases.Select(kb => new Claim(KnowledgeBaseClaim, kb)));
        }
        return new ClaimsPrincipal(new ClaimsIdentity(claims, ApiKeyAuthenticationHandler.SchemeName));
    }

    /// <summary>The knowledge bases this key is limited to, or null when it may use all of its tenant's.</summary>
    public static IReadOnlyList<string>? KnowledgeBases(this ClaimsPrincipal user) =>
        user.HasClaim(c => c.Type == ScopeClaim) ? user.FindAll(KnowledgeBaseClaim).Select(c => c.Value).ToList() : null;

    public static bool MayUse(this ClaimsPrincipal user, string? knowledgeBase) =>
        user.KnowledgeBases() is not { } limited || (knowledgeBase is not null && limited.Contains(knowledgeBase, StringComparer.Ordinal));

    public static TenantId Tenant(this ClaimsPrincipal user) =>
        TryTenant(user) ?? throw new InvalidOperationException("The endpoint ran without an authenticated tenant.");

    public static TenantId? TryTenant(this ClaimsPrincipal user) =>
        user.FindFirst(TenantClaim)?.Value is { } value ? new TenantId(value) : null;

    public static ApiKeyRole Role(this ClaimsPrincipal user) =>
        Enum.TryParse<ApiKeyRole>(user.FindFirst(RoleClaim)?.Value, out var role) ? role : 0;
}
