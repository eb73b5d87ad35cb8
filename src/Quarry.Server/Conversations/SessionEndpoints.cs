using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Quarry.Audit;
using Quarry.Conversations;
using Quarry.Server.Auth;
using Quarry.Server.Endpoints;
using Quarry.Server.Errors;
using Quarry.Storage;

namespace Quarry.Server.Conversations;

/// <summary><c>/v1/sessions</c>: the caller's own conversations. Another caller's or another tenant's session id is
/// answered exactly like one that never existed (404).</summary>
internal static class SessionEndpoints
{
    private const int MaxTitleLength = 200;

    public static void Map(RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/sessions").WithTags("Sessions").RequireAuthorization(Policies.Reader);

        group.MapPost("", async (CreateSessionRequest? body, HttpContext http, Sessions sessions, IDocumentStore documents, CancellationToken ct) =>
        {
            body ??= new CreateSessionRequest();
            if (body.Title is { Length: > MaxTitleLength }) return Problems.Invalid($"'title' is longer than {MaxTitleLength} characters.");
            if (body.KnowledgeBase is not null && await KnowledgeBaseLookup.FindAsync(documents, http.User, body.KnowledgeBase, ct) is null)
                return KnowledgeBaseLookup.NotFound(body.KnowledgeBase);
            var tenant = http.User.Tenant();
            var owner = Sessions.Owner(http.User);
            if (await sessions.Store.CountAsync(tenant, owner, ct) >= sessions.Options.MaxSessionsPerCaller)
                return Problems.Result(Problems.Conflict, $"A caller may keep {sessions.Options.MaxSessionsPerCaller} sessions (Conversations:MaxSessionsPerCaller); delete one first.");
            var now = sessions.Now();
            var session = new Conversation(Sessions.NewId(), tenant, owner, body.KnowledgeBase, string.IsNullOrWhiteSpace(body.Title) ? "New chat" : body.Title.Trim(), now, now);
            await sessions.Store.CreateAsync(session, ct);
            http.Audit(AuditKinds.SessionCreated, session.Id, session.KnowledgeBase);
            return TypedResults.Created($"/v1/sessions/{session.Id}", SessionResponse.From(session));
        }).WithName("CreateSession").Produces<SessionResponse>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status409Conflict);

        group.MapGet("", async (HttpContext http, Sessions sessions, CancellationToken ct, int? limit) =>
        {
            if (limit is < 1 or > 500) return Problems.Invalid("'limit' must be between 1 and 500.");
            var items = await sessions.Store.ListAsync(http.User.Tenant(), Sessions.Owner(http.User), limit ?? 100, ct);
            return Results.Ok(new SessionListResponse(items.Where(s => !sessions.Expired(s)).Select(SessionResponse.From).ToList()));
        }).WithName("ListSessions").Produces<SessionListResponse>();

        group.MapGet("/{id}", async (string id, HttpContext http, Sessions sessions, CancellationToken ct) =>
        {
            if (await sessions.FindAsync(http.User, id, ct) is not { } session) return NotFound(id);
            var turns = await sessions.Store.GetTurnsAsync(session.Tenant, session.Owner, session.Id, ct);
            return Results.Ok(new SessionDetailResponse(SessionResponse.From(session), turns.Select(SessionTurnResponse.From).ToList()));
        }).WithName("GetSession").Produces<SessionDetailResponse>().ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPatch("/{id}", async (string id, UpdateSessionRequest body, HttpContext http, Sessions sessions, IDocumentStore documents, CancellationToken ct) =>
        {
            if (body.Title is { Length: > MaxTitleLength } || body.Title is { } t && string.IsNullOrWhiteSpace(t))
                return Problems.Invalid($"'title' must be 1–{MaxTitleLength} characters.");
            if (body.KnowledgeBase is not null && await KnowledgeBaseLookup.FindAsync(documents, http.User, body.KnowledgeBase, ct) is null)
                return KnowledgeBaseLookup.NotFound(body.KnowledgeBase);
            if (await sessions.FindAsync(http.User, id, ct) is not { } session) return NotFound(id);
            var updated = await sessions.Store.UpdateAsync(session.Tenant, session.Owner, session.Id, body.Title?.Trim(), body.KnowledgeBase, sessions.Now(), ct);
            return updated is null ? NotFound(id) : Results.Ok(SessionResponse.From(updated));
        }).WithName("UpdateSession").Produces<SessionResponse>().ProducesProblem(StatusCodes.Status404NotFound);

        group.MapDelete("/{id}", async (string id, HttpContext http, Sessions sessions, CancellationToken ct) =>
        {
            if (await sessions.FindAsync(http.User, id, ct) is not { } session) return NotFound(id);
            if (!await sessions.Store.DeleteAsync(session.Tenant, session.Owner, session.Id, ct)) return NotFound(id);
            http.Audit(AuditKinds.SessionDeleted, session.Id, session.KnowledgeBase);
            return Results.NoContent();
        }).WithName("DeleteSession").Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
    }

    public static IResult NotFound(string? id) => Problems.NotFoundResult($"No session '{id}'.");
}
