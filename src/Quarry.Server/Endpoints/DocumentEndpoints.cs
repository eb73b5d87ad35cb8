using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Quarry.Documents;
using Quarry.Server.Auth;
using Quarry.Server.Errors;
using Quarry.Storage;

namespace Quarry.Server.Endpoints;

internal static class DocumentEndpoints
{
    public const int MaxPageSize = 1000;

    public static void Map(RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/knowledge-bases/{kb}/documents").WithTags("Documents");
        DocumentUpload.Map(group);
        DocumentAccessEndpoints.Map(group);

        group.MapGet("", async (string kb, HttpContext http, IDocumentStore store, CancellationToken ct,
            int? offset, int? limit, string? source, string[]? tag, string? q, string? parent) =>
        {
            var tenant = http.User.Tenant();
            var found = await KnowledgeBaseLookup.FindAsync(store, http.User, kb, ct);
            if (found is null) return KnowledgeBaseLookup.NotFound(kb);
            var (skip, take) = (offset ?? 0, limit ?? 100);
            if (skip < 0 || take is < 1 or > MaxPageSize)
                return Problems.Invalid($"'offset' must be ≥ 0 and 'limit' between 1 and {MaxPageSize}.");
            var tags = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in tag ?? [])
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0) return Problems.Invalid($"'tag={pair}' must be key=value.");
                tags[pair[..eq]] = pair[(eq + 1)..];
            }
            var page = await store.ListDocumentsAsync(new DocumentListQuery
            {
                Tenant = tenant,
                KnowledgeBase = found.Id,
                SourcePrefix = source,
                Contains = string.IsNullOrWhiteSpace(q) ? null : q.Trim(),
                Parent = string.IsNullOrEmpty(parent) ? null : new DocumentId(parent),
                Tags = tags,
                Offset = skip,
                Limit = take,
                Access = http.User.Access(),
            }, ct);
            return Results.Ok(new DocumentPageResponse(page.Total, skip, take, page.Items.Select(d => DocumentResponse.From(d, found.Name)).ToList()));
        }).RequireAuthorization(Policies.Reader).WithName("ListDocuments").Produces<DocumentPageResponse>();

        group.MapGet("/{id}", async (string kb, string id, HttpContext http, IDocumentStore store, CancellationToken ct, string? include) =>
        {
            var tenant = http.User.Tenant();
            var (found, document) = await FindAsync(store, http.User, kb, id, ct);
            if (found is null) return KnowledgeBaseLookup.NotFound(kb);
            if (document is null) return DocumentNotFound(id, kb);
            var versions = await store.GetVersionsAsync(tenant, document.Id, ct);
            var chunks = include == "chunks" ? await store.GetChunksAsync(tenant, document.Id, ct) : null;
            return Results.Ok(new DocumentDetailResponse(
                DocumentResponse.From(document, found.Name),
                versions.Select(v => new VersionResponse(v.Version, v.Checksum, v.SizeBytes, v.ChunkCount, v.CreatedAt)).ToList(),
                chunks?.Select(ChunkResponse.From).ToList()));
        }).RequireAuthorization(Policies.Reader).WithName("GetDocument").Produces<DocumentDetailResponse>();

        group.MapDelete("/{id}", async (string kb, string id, HttpContext http, IDocumentStore store, CancellationToken ct) =>
        {
            var tenant = http.User.Tenant();
            var (found, document) = await FindAsync(store, http.User, kb, id, ct);
            if (found is null) return KnowledgeBaseLookup.NotFound(kb);
            if (document is null) return DocumentNotFound(id, kb);
            await store.DeleteDocumentAsync(tenant, document.Id, ct);
            http.Audit(Quarry.Audit.AuditKinds.DocumentDeleted, document.Id.Value, found.Name);
            return Results.NoContent();
        }).RequireAuthorization(Policies.Writer).WithName("DeleteDocument");
    }

    /// <summary>The knowledge base and the document in it; a document of another knowledge base is not found here.</summary>
    internal static async Task<(KnowledgeBase? KnowledgeBase, DocumentRecord? Document)> FindAsync(
        IDocumentStore store, ClaimsPrincipal user, string kb, string id, CancellationToken cancellationToken)
    {
        var found = await KnowledgeBaseLookup.FindAsync(store, user, kb, cancellationToken);
        if (found is null || Identifiers.Document(id) is not { } documentId) return (found, null);
        var document = await store.GetDocumentAsync(user.Tenant(), documentId, cancellationToken);
        // A document the caller may not read is not found, exactly like one that does not exist.
        return (found, document?.KnowledgeBaseId == found.Id && user.Access().Permits(document.Allow) ? document : null);
    }

    internal static IResult DocumentNotFound(string id, string kb) =>
        Problems.NotFoundResult($"No document '{id}' in knowledge base '{kb}'.");
}
