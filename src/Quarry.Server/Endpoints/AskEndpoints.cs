using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quarry.Answering;
using Quarry.Caching;
using Quarry.Generation;
using Quarry.Server.Auth;
using Quarry.Server.Conversations;
using Quarry.Server.Errors;
using Quarry.Server.Limits;
using Quarry.Server.Streaming;
using Quarry.Storage;

namespace Quarry.Server.Endpoints;

/// <summary>
/// <c>POST /v1/ask</c>: the answer contract as JSON, or as server-sent events (<c>evidence</c>, <c>delta</c>…,
/// <c>citations</c>, <c>done</c>; <c>error</c> if it fails after the stream began) when the client accepts
/// <c>text/event-stream</c>. The request's abort token reaches the answerer, so a client that disconnects stops the work.
/// </summary>
internal static class AskEndpoints
{
    public static void Map(RouteGroupBuilder v1) =>
        v1.MapPost("/ask", async (AskHttpRequest body, HttpContext http, IDocumentStore store, AnswerCache ask, CancellationToken ct) =>
        {
            var (session, sessionError) = await SessionTurn.OpenAsync(http, body.SessionId, ct);
            if (sessionError is not null) return sessionError;
            // A session's knowledge base is the default for its questions.
            if (session?.Session.KnowledgeBase is { } kb && body.KnowledgeBase is null && body.KnowledgeBases is null) body = body with { KnowledgeBase = kb };
            var (request, error) = await BuildAsync(body, http, store, ct);
            if (error is not null) return error;
            request = session?.Apply(request!) ?? request!;
            if (ServerSentEvents.Requested(http.Request))
            {
                var events = ask.StreamAsync(request, AnswerCacheHttp.Read(http, body.Cache), ct);
                return new AnswerStream(session?.RecordAsync(body.Question!, events, ct) ?? events);
            }
            var answer = await ask.AskAsync(request, AnswerCacheHttp.Read(http, body.Cache), ct);
            if (session is not null) await session.AppendAsync(body.Question!, answer, ct);
            return Results.Ok(answer);
        }).RequireAuthorization(Policies.Reader)
            .WithTags("Answers").WithName("Ask").Produces<Answer>().Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithRequestTimeout(Timeouts.Ask);

    private static async Task<(AskRequest?, IResult?)> BuildAsync(AskHttpRequest body, HttpContext http, IDocumentStore store, CancellationToken ct)
    {
        if (body.Question is null) return (null, Problems.Result(Problems.InvalidQuery, "'question' is required."));
        var history = new List<ChatMessage>();
        foreach (var turn in body.History ?? [])
        {
            var role = turn.Role?.ToLowerInvariant() switch
            {
                "user" => ChatRole.User,
                "assistant" => ChatRole.Assistant,
                _ => (ChatRole?)null,
            };
            if (role is null || turn.Content is null)
                return (null, Problems.Invalid("Each 'history' entry needs a 'role' of user or assistant and a 'content'."));
            history.Add(new ChatMessage(role.Value, turn.Content));
        }
        var (filter, error) = await FilterMapping.BuildAsync(store, http.User, body.KnowledgeBase, body.KnowledgeBases, body.Filters, ct);
        if (error is not null) return (null, error);
        return ModelChoice.Apply(new AskRequest(body.Question, filter!) { History = history, TopK = body.TopK }, http, body.Model, body.Temperature, body.MaxTokens);
    }

    /// <summary>Streams answer events. Failures before the first event become an ordinary problem response (the
    /// exception handler maps them); after it, an <c>error</c> event.</summary>
    private sealed class AnswerStream(IAsyncEnumerable<AnswerEvent> events) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var ct = httpContext.RequestAborted;
            var json = httpContext.RequestServices.GetService(typeof(IOptions<JsonOptions>)) is IOptions<JsonOptions> o ? o.Value.SerializerOptions : null;
            var logger = (ILogger?)httpContext.RequestServices.GetService(typeof(ILogger<AnswerStream>));
            await using var e = events.GetAsyncEnumerator(ct);
            if (!await e.MoveNextAsync()) return;
            var sse = ServerSentEvents.Start(httpContext, json ?? new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));
            try
            {
                do
                {
                    var (name, data) = Describe(e.Current);
                    await sse.WriteAsync(name, data, ct);
                }
                while (await e.MoveNextAsync());
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                if (logger is not null) ServerLog.AskCancelled(logger, httpContext.Request.Path);
                // The token is also cancelled when the route's time limit passes: a client still listening learns why.
                await sse.TryWriteAsync("error", Problems.Create(Problems.Timeout, "The answer was stopped: the client went away or the time limit passed."));
            }
            catch (Exception ex)
            {
                if (logger is not null) ServerLog.StreamFailed(logger, httpContext.Request.Path, ex);
                var problem = QuarryExceptionHandler.Map(ex);
                await sse.WriteAsync("error", problem, CancellationToken.None);
            }
        }

        private static (string Name, object Data) Describe(AnswerEvent e) => e switch
        {
            EvidenceEvent ev => ("evidence", new { evidence = ev.Evidence }),
            DeltaEvent d => ("delta", new { text = d.Text }),
            CitationsEvent c => ("citations", new { citations = c.Citations, unsupportedSentences = c.UnsupportedSentences }),
            DoneEvent done => ("done", new { answer = done.Answer }),
            _ => throw new InvalidOperationException($"Unknown answer event {e.GetType().Name}."),
        };
    }
}
