using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Quarry.Documents;
using Quarry.Server.Auth;
using Quarry.Server.Errors;
using Quarry.Storage;

namespace Quarry.Server.Endpoints;

/// <param name="Name">The new name; omitted keeps it.</param>
/// <param name="Hidden">Hide from listings, pickers and /v1/models (still usable by name); omitted keeps it.</param>
public sealed record UpdateKnowledgeBaseRequest(string? Name, bool? Hidden);

/// <summary>PATCH /v1/knowledge-bases/{kb}: rename, hide or show (admin only). Keys limited by name keep the old name
/// in their list, so renaming a knowledge base such keys use takes it away from them.</summary>
internal static class KnowledgeBaseUpdates
{
    public static void Map(RouteGroupBuilder group) =>
        group.MapPatch("/{kb}", async (string kb, UpdateKnowledgeBaseRequest body, HttpContext http, IDocumentStore store, CancellationToken ct) =>
        {
            if (body.Name is not null && !KnowledgeBaseNames.IsValid(body.Name))
                return Problems.Invalid($"'name' must be 1–{KnowledgeBaseNames.MaxLength} letters, digits, '-', '_' or '.' (not starting with '.').");
            var found = await KnowledgeBaseLookup.FindAsync(store, http.User, kb, ct);
            if (found is null) return KnowledgeBaseLookup.NotFound(kb);
            var updated = await store.UpdateKnowledgeBaseAsync(http.User.Tenant(), found.Id, new KnowledgeBaseChange(body.Name, body.Hidden), ct);
            if (updated is null) return KnowledgeBaseLookup.NotFound(kb);
            // The subject names both when renamed, so the trail links the old name to the new one.
            http.Audit(Quarry.Audit.AuditKinds.KnowledgeBaseUpdated, found.Name == updated.Name ? updated.Name : $"{found.Name} -> {updated.Name}", updated.Name);
            return Results.Ok(KnowledgeBaseResponse.From(updated));
        }).RequireAuthorization(Policies.Admin).WithName("UpdateKnowledgeBase")
            .Produces<KnowledgeBaseResponse>().ProducesProblem(StatusCodes.Status409Conflict);
}
