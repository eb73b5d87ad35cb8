using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quarry.Documents;
using Quarry.Server.Errors;
using Quarry.Server.Hosting;
using Quarry.Tenancy;

namespace Quarry.Server.Auth;

/// <summary>
/// <c>Authorization: Bearer &lt;key&gt;</c> → the key's tenant and role. In development mode (explicit configuration)
/// every request is an admin of the development tenant. Challenges and forbids are written as problem details.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiKeyCache keys,
    IOptions<AuthOptions> auth,
    IOptions<SignedTokenOptions> tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";
    private const string FailureItem = "quarry:auth-failure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (auth.Value.Mode == AuthMode.Development)
            return Success(Caller.Principal(new TenantId(auth.Value.DevelopmentTenant), ApiKeyRole.Admin, "development"));

        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
            return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Failure("The Authorization header must be 'Bearer <API key>'.");
        var key = header["Bearer ".Length..].Trim();
        if (tokens.Value.Enabled && !key.StartsWith(ApiKeys.KeyPrefix, StringComparison.Ordinal) && key.Count(c => c == '.') == 2)
            return await SignedTokenAsync();
        if (key.Length is 0 or > 200)
            return Failure("The API key is empty or malformed.");
        var record = await keys.FindAsync(key, Context.RequestAborted);
        if (record is null)
            return Failure("The API key is unknown or revoked.");
        return Success(Caller.Principal(record.Tenant, record.Role, record.Id, record.KnowledgeBases, record.Principal));
    }

    private async Task<AuthenticateResult> SignedTokenAsync()
    {
        var result = await Context.AuthenticateAsync(SignedTokens.SchemeName);
        if (!result.Succeeded || result.Principal is null)
            return Failure(SignedTokens.Describe(result.Failure));
        var (principal, error) = SignedTokens.Map(result.Principal, tokens.Value);
        return principal is null ? Failure(error!) : Success(principal);
    }

    private AuthenticateResult Success(System.Security.Claims.ClaimsPrincipal principal)
    {
        if (principal.IsBypass())
        {
            // Every request of a bypass caller is recorded: it reads past document access lists.
            Context.RequestServices.GetService<Quarry.Audit.IAuditTrail>()?.Record(new Quarry.Audit.AuditEvent(
                principal.Tenant(), Quarry.Audit.AuditKinds.AccessBypassed, Request.Method + " " + Request.Path,
                principal.FindFirst(Caller.KeyClaim)?.Value, System.Diagnostics.Activity.Current?.TraceId.ToHexString()));
        }
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    private AuthenticateResult Failure(string message)
    {
        Context.Items[FailureItem] = message;
        return AuthenticateResult.Fail(message);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        var detail = Context.Items[FailureItem] as string ?? "Send an API key as 'Authorization: Bearer <key>' (create one with 'quarry keys create').";
        return Problems.WriteAsync(Context, Problems.Create(Problems.Unauthorized, detail));
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, Problems.Create(Problems.Forbidden,
            $"This key has the '{Context.User.Role().ToString().ToLowerInvariant()}' role, which does not allow this operation."));
}
