using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Quarry.Server.Auth;
using Quarry.Server.Errors;
using Quarry.Tenancy;

namespace Quarry.Server.Endpoints;

/// <summary>Admins manage the keys of their own tenant; a new key is returned once and stored only as a hash.</summary>
internal static class KeyEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/keys").WithTags("API keys").RequireAuthorization(Policies.Admin);

        group.MapPost("", async (CreateKeyRequest body, HttpContext http, ITenantStore tenants, CancellationToken ct) =>
        {
            if (!KeyRoles.TryParse(body.Role, out var parsed))
                return Problems.Invalid("'role' must be reader, writer, admin or bypass.");
            var role = parsed.Role;
            var (principal, principalError) = KeyRoles.Principal(parsed.Bypass, body.User, body.Groups);
            if (principal is null) return Problems.Invalid(principalError!);
            if (ApiKeys.ScopeError(role, body.KnowledgeBases) is { } scopeError)
                return Problems.Invalid(scopeError);
            var (key, hash) = ApiKeys.Generate();
            var record = await tenants.CreateApiKeyAsync(
                new NewApiKey(http.User.Tenant(), role, hash, ApiKeys.DisplayPrefix(key), body.Name ?? "", body.KnowledgeBases) { Principal = principal }, ct);
            http.Audit(Quarry.Audit.AuditKinds.KeyCreated, record.Id);
            return TypedResults.Created($"/v1/keys/{record.Id}", new CreatedKeyResponse(key, ToResponse(record)));
        }).WithName("CreateKey").Produces<CreatedKeyResponse>(StatusCodes.Status201Created);

        group.MapGet("", async (HttpContext http, ITenantStore tenants, CancellationToken ct) =>
            Results.Ok(new { items = (await tenants.ListApiKeysAsync(http.User.Tenant(), ct)).Select(ToResponse) }))
            .WithName("ListKeys");

        group.MapDelete("/{id}", async (string id, HttpContext http, ITenantStore tenants, ApiKeyCache cache, CancellationToken ct) =>
        {
            if (!await tenants.RevokeApiKeyAsync(http.User.Tenant(), id, ct))
                return Problems.NotFoundResult($"No active key '{id}'.");
            cache.Clear();
            http.Audit(Quarry.Audit.AuditKinds.KeyRevoked, id);
            return Results.NoContent();
        }).WithName("RevokeKey");
    }

    public static KeyResponse ToResponse(ApiKeyRecord k) =>
        new(k.Id, k.Tenant.Value, KeyRoles.Name(k.Role, k.Principal.Bypass), k.Name, k.Prefix, k.KnowledgeBases, k.CreatedAt, k.RevokedAt,
            k.Principal.User, k.Principal.Groups);
}
