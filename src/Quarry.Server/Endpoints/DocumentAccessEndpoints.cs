using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Access;
using Quarry.Indexing;
using Quarry.Indexing.Vectors;
using Quarry.Server.Auth;
using Quarry.Server.Errors;
using Quarry.Storage;

namespace Quarry.Server.Endpoints;

/// <summary>Changes a document's access list in place: no re-ingest, every chunk follows at once (they are searched
/// through their document's list), and the change is audited.</summary>
internal static class DocumentAccessEndpoints
{
    public static void Map(RouteGroupBuilder documents)
    {
        documents.MapPatch("/{id}", async (string kb, string id, DocumentPatchRequest body, HttpContext http, IDocumentStore store, CancellationToken ct) =>
        {
            if (body.Allow is null) return Problems.Invalid("Send 'allow': the new access list ([] opens the document to everyone of the knowledge base).");
            var (allow, error) = AccessList.Normalize(body.Allow);
            if (allow is null) return Problems.Invalid(error!);
            var (found, document) = await DocumentEndpoints.FindAsync(store, http.User, kb, id, ct);
            if (found is null) return KnowledgeBaseLookup.NotFound(kb);
            if (document is null) return DocumentEndpoints.DocumentNotFound(id, kb);
            var changed = await store.SetDocumentAccessAsync(http.User.Tenant(), document.Id, allow, ct);
            if (changed is null) return DocumentEndpoints.DocumentNotFound(id, kb);
            await VectorIndexFreshness.CatchUpAsync(http.RequestServices.GetService<IVectorIndex>(), ct);
            http.Audit(Quarry.Audit.AuditKinds.DocumentAccessChanged, document.Id.Value, found.Name);
            return Results.Ok(DocumentResponse.From(changed, found.Name));
        }).RequireAuthorization(Policies.Writer).WithName("UpdateDocument").Produces<DocumentResponse>();
    }

    /// <summary>Reads the upload's access list: repeated <c>allow</c> fields or a JSON array; null when none was sent.</summary>
    public static (IReadOnlyList<string>? Allow, IResult? Error) FromUpload(IEnumerable<string>? entries)
    {
        if (entries is null) return (null, null);
        var list = entries.ToList();
        if (list.Count == 0) return (null, null);
        var (allow, error) = AccessList.Normalize(list.SelectMany(Split));
        return allow is null ? (null, Problems.Invalid(error!)) : (allow, null);
    }

    /// <summary>A form field may hold one entry, or several separated by commas.</summary>
    private static IEnumerable<string> Split(string field) => field.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}

/// <param name="Allow">The document's new access list: "user:&lt;id&gt;" and "group:&lt;name&gt;" entries.</param>
public sealed record DocumentPatchRequest(IReadOnlyList<string>? Allow);
