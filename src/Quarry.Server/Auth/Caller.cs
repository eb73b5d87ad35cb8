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
    public const string UserClaim = "quarry:user";
    /// <summary>One claim per group the caller is in.</summary>
    public const string GroupClaim = "quarry:group";
    public const string BypassClaim = "quarry:bypass";

    public static ClaimsPrincipal Principal(
        TenantId tenant, ApiKeyRole role, string keyId, IReadOnlyList<string>? knowledgeBases = null, KeyPrincipal? principal = null)
    {
        var claims = new List<Claim>
        {
            new(TenantClaim, tenant.Value),
            new(RoleClaim, role.ToString()),
            new(KeyClaim, keyId),
        };
        if (principal?.User is { Length: > 0 } userId) claims.Add(new Claim(UserClaim, userId));
        claims.AddRange((principal?.Groups ?? []).Select(g => new Claim(GroupClaim, g)));
        if (principal?.Bypass == true) claims.Add(new Claim(BypassClaim, "true"));
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

    /// <summary>The explicit bypass role: reads every document of the tenant (audited); admins have it implicitly.</summary>
    public static bool IsBypass(this ClaimsPrincipal user) => user.HasClaim(c => c.Type == BypassClaim);

    /// <summary>What the caller may read, for every store query it makes: admins and bypass keys everything in their
    /// tenant, anyone else the documents that are open or list its user or one of its groups.</summary>
    public static Quarry.Access.AccessScope Access(this ClaimsPrincipal user) =>
        user.Role() >= ApiKeyRole.Admin || user.IsBypass()
            ? Quarry.Access.AccessScope.Everything
            : Quarry.Access.AccessScope.For(user.FindFirst(UserClaim)?.Value, user.FindAll(GroupClaim).Select(c => c.Value));

    /// <summary>The caller's access scope as a short stable string ("bypass", or a hash of its principals), for the
    /// keys of caches whose entries must not cross access scopes (answers, search results).</summary>
    public static string AccessScopeKey(this ClaimsPrincipal user) => user.Access().ScopeKey;

    public static TenantId Tenant(this ClaimsPrincipal user) =>
        TryTenant(user) ?? throw new InvalidOperationException("The endpoint ran without an authenticated tenant.");

    public static TenantId? TryTenant(this ClaimsPrincipal user) =>
        user.FindFirst(TenantClaim)?.Value is { } value ? new TenantId(value) : null;

    public static ApiKeyRole Role(this ClaimsPrincipal user) =>
        Enum.TryParse<ApiKeyRole>(user.FindFirst(RoleClaim)?.Value, out var role) ? role : 0;
}
