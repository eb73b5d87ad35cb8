using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Quarry.Documents;
using Quarry.Server.Auth;
using Quarry.Server.Errors;
using Quarry.Storage;
using Quarry.Vectorizing;

namespace Quarry.Server.Endpoints;

internal static class KnowledgeBaseEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/knowledge-bases").WithTags("Knowledge bases");

        group.MapPost("", async (CreateKnowledgeBaseRequest body, HttpContext http, IDocumentStore store, CancellationToken ct) =>
        {
            if (!KnowledgeBaseNames.IsValid(body.Name))
                return Problems.Invalid($"'name' must be 1–{KnowledgeBaseNames.MaxLength} letters, digits, '-', '_' or '.' (not starting with '.').");
            var kb = await store.CreateKnowledgeBaseAsync(http.User.Tenant(), body.Name!, body.Hidden ?? false, ct);
            http.Audit(Quarry.Audit.AuditKinds.KnowledgeBaseCreated, kb.Name, kb.Name);
            return TypedResults.Created($"/v1/knowledge-bases/{kb.Name}", KnowledgeBaseResponse.From(kb));
        }).RequireAuthorization(Policies.Admin).WithName("CreateKnowledgeBase")
            .Produces<KnowledgeBaseResponse>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status409Conflict);

        // Hidden knowledge bases (evaluation corpora) are listed only on request: pickers never offer them.
        group.MapGet("", async (HttpContext http, IDocumentStore store, VectorFiller vectors, CancellationToken ct, bool includeHidden = false) =>
        {
            var items = await KnowledgeBaseLookup.ListAsync(store, http.User, ct);
            return TypedResults.Ok(new { items = await KnowledgeBaseVectors.DescribeAsync(items.Where(k => includeHidden || !k.Hidden), vectors, ct) });
        }).RequireAuthorization(Policies.Reader).WithName("ListKnowledgeBases");

        group.MapGet("/{kb}", async (string kb, HttpContext http, IDocumentStore store, VectorFiller vectors, CancellationToken ct) =>
            await KnowledgeBaseLookup.FindAsync(store, http.User, kb, ct) is { } found
                ? Results.Ok((await KnowledgeBaseVectors.DescribeAsync([found], vectors, ct))[0])
                : KnowledgeBaseLookup.NotFound(kb))
            .RequireAuthorization(Policies.Reader).WithName("GetKnowledgeBase").Produces<KnowledgeBaseResponse>();

        KnowledgeBaseUpdates.Map(group);

        group.MapDelete("/{kb}", async (string kb, HttpContext http, IDocumentStore store, CancellationToken ct) =>
        {
            var found = await KnowledgeBaseLookup.FindAsync(store, http.User, kb, ct);
            if (found is null) return KnowledgeBaseLookup.NotFound(kb);
            await store.DeleteKnowledgeBaseAsync(http.User.Tenant(), found.Id, ct);
            http.Audit(Quarry.Audit.AuditKinds.KnowledgeBaseDeleted, found.Name, found.Name);
            return Results.NoContent();
        }).RequireAuthorization(Policies.Admin).WithName("DeleteKnowledgeBase");
    }
}

internal static class KnowledgeBaseLookup
{
    /// <summary>The caller's knowledge base with that name: looked up inside the key's tenant, and only when the key
    /// may use it. Null (→ 404) for an invalid name, another tenant's, or one outside a limited key's list.</summary>
    public static Task<KnowledgeBase?> FindAsync(IDocumentStore store, ClaimsPrincipal user, string? name, CancellationToken cancellationToken) =>
        KnowledgeBaseNames.IsValid(name) && user.MayUse(name)
            ? store.FindKnowledgeBaseAsync(user.Tenant(), name!, cancellationToken)
            : Task.FromResult<KnowledgeBase?>(null);

    /// <summary>The tenant's knowledge bases this key may use.</summary>
    public static async Task<IReadOnlyList<KnowledgeBase>> ListAsync(IDocumentStore store, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        (await store.ListKnowledgeBasesAsync(user.Tenant(), cancellationToken)).Where(k => user.MayUse(k.Name)).ToList();

    public static IResult NotFound(string? name) => Problems.NotFoundResult($"No knowledge base named '{name}'.");
}
