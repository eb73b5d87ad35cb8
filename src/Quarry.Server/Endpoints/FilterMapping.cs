using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Quarry.Documents;
using Quarry.Retrieval;
using Quarry.Server.Auth;
using Quarry.Server.Errors;
using Quarry.Storage;

namespace Quarry.Server.Endpoints;

/// <summary>
/// Builds the <see cref="SearchFilter"/> of a search or ask. The tenant always comes from the caller's key and the
/// knowledge bases are resolved inside that tenant, so the store's query can never reach another tenant's rows.
/// </summary>
internal static class FilterMapping
{
    public static async Task<(SearchFilter? Filter, IResult? Error)> BuildAsync(
        IDocumentStore store, ClaimsPrincipal user, string? knowledgeBase, IReadOnlyList<string>? knowledgeBases, FilterRequest? filters,
        CancellationToken cancellationToken)
    {
        var tenant = user.Tenant();
        var names = new List<string>();
        if (!string.IsNullOrEmpty(knowledgeBase)) names.Add(knowledgeBase);
        names.AddRange(knowledgeBases ?? []);
        var ids = new List<KnowledgeBaseId>();
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            var found = await KnowledgeBaseLookup.FindAsync(store, user, name, cancellationToken);
            if (found is null) return (null, KnowledgeBaseLookup.NotFound(name));
            ids.Add(found.Id);
        }
        if (names.Count == 0)
        {
            // "Everywhere" is every knowledge base the key may use except hidden ones (evaluation corpora); an empty
            // list would mean all of the tenant's, so it stays empty only when that is the same thing.
            var usable = await KnowledgeBaseLookup.ListAsync(store, user, cancellationToken);
            if (user.KnowledgeBases() is not null || usable.Any(k => k.Hidden))
            {
                ids.AddRange(usable.Where(k => !k.Hidden).Select(k => k.Id));
                if (ids.Count == 0) return (null, Problems.NotFoundResult("None of the knowledge bases this key may use exists (hidden ones are searched only by name)."));
            }
        }

        var documents = new List<DocumentId>();
        foreach (var id in filters?.Documents ?? [])
        {
            if (Identifiers.Document(id) is not { } documentId) return (null, Problems.Invalid($"'{id}' is not a document id."));
            documents.Add(documentId);
        }
        var anyTags = (filters?.AnyTags ?? []).SelectMany(t => t.Value.Select(v => KeyValuePair.Create(t.Key, v))).ToList();
        return (new SearchFilter
        {
            Tenant = tenant,
            KnowledgeBases = ids,
            Documents = documents,
            TagsAll = filters?.Tags ?? new Dictionary<string, string>(StringComparer.Ordinal),
            TagsAny = anyTags,
            SourcePrefix = filters?.SourcePrefix,
            UpdatedFrom = filters?.UpdatedAfter,
            UpdatedTo = filters?.UpdatedBefore,
            Access = user.Access(),
        }, null);
    }
}
