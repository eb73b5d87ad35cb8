using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Quarry.Documents;
using Quarry.Tenancy;

namespace Quarry.Server.Auth;

/// <summary>
/// JWT bearer sign-in. The API-key handler stays the only scheme the policies name: it hands a bearer value that is
/// not an API key to the JwtBearer scheme registered here, then maps the validated token's claims onto Quarry's
/// principal, so every endpoint sees one kind of caller whichever way it signed in.
/// </summary>
internal static class SignedTokens
{
    public const string SchemeName = "Jwt";

    public static AuthenticationBuilder AddQuarrySignedTokens(this AuthenticationBuilder builder, IConfiguration configuration)
    {
        var section = configuration.GetSection(SignedTokenOptions.SectionName);
        builder.Services.AddOptions<SignedTokenOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        var options = section.Get<SignedTokenOptions>() ?? new SignedTokenOptions();
        if (!options.Enabled) return builder;
        return builder.AddJwtBearer(SchemeName, jwt =>
        {
            jwt.MapInboundClaims = false;
            jwt.RequireHttpsMetadata = options.RequireHttpsMetadata;
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidateAudience = true,
                ValidAudience = options.Audience,
                ValidateIssuer = !string.IsNullOrWhiteSpace(options.Issuer) || !string.IsNullOrWhiteSpace(options.Authority),
                ValidIssuer = options.Issuer,
                ValidateLifetime = true,
                RequireExpirationTime = true,
                ValidateIssuerSigningKey = true,
                ClockSkew = options.ClockSkew,
                NameClaimType = options.UserClaim,
            };
            if (!string.IsNullOrWhiteSpace(options.Authority))
            {
                jwt.Authority = options.Authority;
            }
            else
            {
                jwt.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
                    options.JwksUrl!, new JwksRetriever(), new HttpDocumentRetriever { RequireHttps = options.RequireHttpsMetadata });
            }
        });
    }

    /// <summary>Quarry's principal for a validated token, or the sentence saying which claim is missing or wrong.</summary>
    public static (ClaimsPrincipal? Principal, string? Error) Map(ClaimsPrincipal token, SignedTokenOptions options)
    {
        var tenant = token.FindFirst(options.TenantClaim)?.Value;
        if (string.IsNullOrWhiteSpace(tenant))
            return (null, $"The token has no '{options.TenantClaim}' claim naming the tenant.");
        var roles = Values(token, options.RoleClaim);
        (ApiKeyRole Role, bool Bypass) role = default;
        if (roles.Count == 0)
        {
            if (!KeyRoles.TryParse(options.DefaultRole, out role)) role = (ApiKeyRole.Reader, false);
        }
        else
        {
            var known = roles.Select(r => KeyRoles.TryParse(r, out var p) ? p : ((ApiKeyRole, bool)?)null).Where(p => p is not null).Select(p => p!.Value).ToList();
            if (known.Count == 0)
                return (null, $"The token's '{options.RoleClaim}' claim names no Quarry role (reader, writer, admin or bypass).");
            role = (known.Max(p => p.Item1), known.Any(p => p.Item2));
        }
        var (principal, error) = KeyRoles.Principal(role.Bypass, token.FindFirst(options.UserClaim)?.Value, Values(token, options.GroupsClaim));
        if (principal is null) return (null, "The token's principal is malformed: " + error);
        var subject = token.FindFirst("jti")?.Value ?? token.FindFirst(options.UserClaim)?.Value ?? "token";
        return (Caller.Principal(new TenantId(tenant), role.Role, "jwt:" + subject, null, principal), null);
    }

    /// <summary>A claim's values: repeated claims, or one claim holding a JSON array.</summary>
    private static List<string> Values(ClaimsPrincipal token, string type)
    {
        var values = new List<string>();
        foreach (var claim in token.FindAll(type))
        {
            if (claim.Value.StartsWith('['))
            {
                try
                {
                    values.AddRange(JsonSerializer.Deserialize<string[]>(claim.Value) ?? []);
                    continue;
                }
                catch (JsonException)
                {
                    // Not an array after all: the value itself.
                }
            }
            values.Add(claim.Value);
        }
        return values;
    }

    /// <summary>Why the JwtBearer scheme refused the token, as a sentence for the 401 problem.</summary>
    public static string Describe(Exception? failure) => failure switch
    {
        SecurityTokenExpiredException => "The token has expired.",
        SecurityTokenNotYetValidException => "The token is not valid yet.",
        SecurityTokenInvalidAudienceException => "The token is for another audience than this server.",
        SecurityTokenInvalidIssuerException => "The token comes from an issuer this server does not trust.",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException =>
            "The token's signature does not verify with any key of the configured issuer.",
        SecurityTokenNoExpirationException => "The token has no expiry time.",
        SecurityTokenMalformedException => "The bearer value is neither an API key nor a well-formed token.",
        null => "The token was not accepted.",
        _ => "The token was not accepted: " + failure.GetType().Name + ".",
    };

    /// <summary>Reads a bare JWKS document as an OpenID configuration holding only signing keys.</summary>
    private sealed class JwksRetriever : IConfigurationRetriever<OpenIdConnectConfiguration>
    {
        public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
        {
            var json = await retriever.GetDocumentAsync(address, cancel);
            var configuration = new OpenIdConnectConfiguration();
            foreach (var key in new JsonWebKeySet(json).GetSigningKeys())
                configuration.SigningKeys.Add(key);
            return configuration;
        }
    }
}
