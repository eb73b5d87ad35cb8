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

    public static ClaimsPrincipal Principal(TenantId tenant, ApiKeyRole role, string keyId) =>
        new(new ClaimsIdentity(
            [
                new Claim(TenantClaim, tenant.Value),
                new Claim(RoleClaim, role.ToString()),
                new Claim(KeyClaim, keyId),
            ], ApiKeyAuthenticationHandler.SchemeName));

    public static TenantId Tenant(this ClaimsPrincipal user) =>
        TryTenant(user) ?? throw new InvalidOperationException("The endpoint ran without an authenticated tenant.");

    public static TenantId? TryTenant(this ClaimsPrincipal user) =>
        user.FindFirst(TenantClaim)?.Value is { } value ? new TenantId(value) : null;

    public static ApiKeyRole Role(this ClaimsPrincipal user) =>
        Enum.TryParse<ApiKeyRole>(user.FindFirst(RoleClaim)?.Value, out var role) ? role : 0;
}
