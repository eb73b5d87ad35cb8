using Microsoft.AspNetCore.Authorization;
using Quarry.Tenancy;

namespace Quarry.Server.Auth;

/// <summary>One policy per role; roles are ordered, so a writer passes the reader policy and an admin passes all.</summary>
internal static class Policies
{
    public const string Reader = "reader";
    public const string Writer = "writer";
    public const string Admin = "admin";

    public static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(Reader, p => Require(p, ApiKeyRole.Reader));
        options.AddPolicy(Writer, p => Require(p, ApiKeyRole.Writer));
        options.AddPolicy(Admin, p => Require(p, ApiKeyRole.Admin));
        // An endpoint that forgets to name a policy is still closed to anonymous callers.
        options.FallbackPolicy = options.GetPolicy(Reader);
    }

    private static void Require(AuthorizationPolicyBuilder policy, ApiKeyRole role) =>
        policy.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser()
            .RequireAssertion(context => context.User.Role() >= role);
}
