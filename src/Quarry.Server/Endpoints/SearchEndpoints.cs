using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Quarry.Caching;
using Quarry.Retrieval;
using Quarry.Server.Auth;
using Quarry.Server.Limits;
using Quarry.Storage;

namespace Quarry.Server.Endpoints;

internal static class SearchEndpoints
{
    public static void Map(RouteGroupBuilder v1) =>
        v1.MapPost("/search", async (SearchRequest body, HttpContext http, IDocumentStore store, SearchCache search, CancellationToken ct) =>
        {
            var (filter, error) = await FilterMapping.BuildAsync(store, http.User, body.KnowledgeBase, body.KnowledgeBases, body.Filters, ct);
            if (error is not null) return error;
            var query = body.Query ?? "";
            var (result, cache) = await search.SearchAsync(new RetrievalRequest(query, filter!, body.TopK), AnswerCacheHttp.Read(http, null), ct);
            return Results.Ok(new SearchResponse(query, result.Mode, result.Degraded,
                result.Chunks.Select((r, i) => SearchHit.From(i + 1, r, query)).ToList(), cache));
        }).RequireAuthorization(Policies.Reader).WithTags("Search").WithName("Search")
            .Produces<SearchResponse>().ProducesProblem(StatusCodes.Status400BadRequest)
            .WithRequestTimeout(Timeouts.Search);
}
