using System.ComponentModel.DataAnnotations;
using Quarry.Tenancy;

namespace Quarry.Server.Auth;

/// <summary>
/// Sign-in with signed tokens (JWT bearer) from an OpenID Connect issuer, beside API keys. Off unless an authority or a
/// JWKS URL is configured. The claim names map the issuer's tokens onto Quarry's principal (tenant, user, groups, role).
/// </summary>
public sealed class SignedTokenOptions : IValidatableObject
{
    public const string SectionName = "Auth:Jwt";

    /// <summary>The issuer's base URL; its keys come from <c>/.well-known/openid-configuration</c>.</summary>
    public string? Authority { get; set; }

    /// <summary>The issuer's key set (JWKS) directly, for issuers without a discovery document.</summary>
    public string? JwksUrl { get; set; }

    /// <summary>Required when tokens are enabled: a token for another audience is refused.</summary>
    public string? Audience { get; set; }

    /// <summary>When set, the token's <c>iss</c> must equal it (with an authority, discovery supplies it).</summary>
    public string? Issuer { get; set; }

    /// <summary>Only for a local issuer in development and tests.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    [Required(AllowEmptyStrings = false)]
    public string TenantClaim { get; set; } = "tenant";

    [Required(AllowEmptyStrings = false)]
    public string UserClaim { get; set; } = "sub";

    /// <summary>Repeated claims or one JSON array claim.</summary>
    [Required(AllowEmptyStrings = false)]
    public string GroupsClaim { get; set; } = "groups";

    /// <summary>reader, writer, admin or bypass; the highest wins when there are several.</summary>
    [Required(AllowEmptyStrings = false)]
    public string RoleClaim { get; set; } = "role";

    /// <summary>The role of a token without a role claim.</summary>
    [Required(AllowEmptyStrings = false)]
    public string DefaultRole { get; set; } = "reader";

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority) || !string.IsNullOrWhiteSpace(JwksUrl);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled) yield break;
        if (string.IsNullOrWhiteSpace(Audience))
            yield return new ValidationResult("Auth:Jwt:Audience is required when Auth:Jwt:Authority or Auth:Jwt:JwksUrl is set.");
        if (!string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(JwksUrl))
            yield return new ValidationResult("Set Auth:Jwt:Authority or Auth:Jwt:JwksUrl, not both.");
        if (!KeyRoles.TryParse(DefaultRole, out _))
            yield return new ValidationResult("Auth:Jwt:DefaultRole must be reader, writer, admin or bypass.");
    }
}
