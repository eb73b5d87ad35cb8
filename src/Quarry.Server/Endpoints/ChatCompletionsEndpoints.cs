using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Quarry.Answering;
using Quarry.Caching;
using Quarry.Generation;
using Quarry.Retrieval;
using Quarry.Server.Auth;
using Quarry.Server.Conversations;
using Quarry.Server.Errors;
using Quarry.Server.Limits;
using Quarry.Server.Streaming;
using Quarry.Storage;

namespace Quarry.Server.Endpoints;

/// <summary>
/// An OpenAI-compatible façade: <c>POST /v1/chat/completions</c> with <c>model</c> = knowledge base name, the last
/// user message as the question and earlier user/assistant messages as history (system messages are ignored: the
/// answerer's own rules govern). Citations travel in the extension fields <c>quarry_citations</c> (and
/// <c>quarry</c> with grounded/abstained/model/degraded) of the completion, or of the last chunk when streaming.
/// </summary>
internal static class ChatCompletionsEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        v1.MapPost("/chat/completions", HandleAsync)
            .RequireAuthorization(Policies.Reader)
            .WithTags("OpenAI-compatible").WithName("ChatCompletions").Accepts<ChatCompletionRequest>("application/json")
            .WithRequestTimeout(Timeouts.Ask);

        v1.MapGet("/models", async (HttpContext http, IDocumentStore store, CancellationToken ct) =>
        {
            var kbs = await KnowledgeBaseLookup.ListAsync(store, http.User, ct);
            return Results.Ok(new
            {
                @object = "list",
                data = kbs.Where(k => !k.Hidden).Select(k => new { id = k.Name, @object = "model", created = k.CreatedAt.ToUnixTimeSeconds(), owned_by = "quarry" }),
            });
        }).RequireAuthorization(Policies.Reader).WithTags("OpenAI-compatible").WithName("ListModels");
    }

    private static async Task<IResult> HandleAsync(ChatCompletionRequest body, HttpContext http, IDocumentStore store, AnswerCache ask, TimeProvider time, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body.Model))
            return OpenAiProblem(Problems.InvalidRequest, "'model' must name a knowledge base.", "invalid_request_error");
        var messages = new List<ChatMessage>();
        foreach (var m in body.Messages ?? [])
        {
            var role = m.Role?.ToLowerInvariant() switch
            {
                "user" => ChatRole.User,
                "assistant" => ChatRole.Assistant,
                "system" or "developer" => (ChatRole?)null,
                _ => throw new BadHttpRequestException($"Unknown message role '{m.Role}'."),
            };
            if (role is { } r) messages.Add(new ChatMessage(r, TextOf(m.Content)));
        }
        if (messages.Count == 0 || messages[^1].Role != ChatRole.User)
            return OpenAiProblem(Problems.InvalidRequest, "'messages' must end with a user message (the question).", "invalid_request_error");

        var tenant = http.User.Tenant();
        var kb = await KnowledgeBaseLookup.FindAsync(store, http.User, body.Model, ct);
        if (kb is null)
            return OpenAiProblem(Problems.NotFound, $"The model '{body.Model}' does not exist: models are knowledge base names (GET /v1/models).", "model_not_found");
        var (request, invalid) = ModelChoice.Apply(
            new AskRequest(messages[^1].Content, new SearchFilter { Tenant = tenant, KnowledgeBases = [kb.Id], Access = http.User.Access() })
            {
                History = messages[..^1],
            },
            http, model: null, body.Temperature, body.MaxCompletionTokens ?? body.MaxTokens);
        if (invalid is not null) return invalid;
        var (session, sessionError) = await SessionTurn.OpenAsync(http, body.SessionId, ct);
        if (sessionError is not null) return sessionError;
        request = session?.Apply(request!) ?? request!;
        var id = "chatcmpl-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var created = time.GetUtcNow().ToUnixTimeSeconds();
        if (body.Stream == true)
        {
            var events = ask.StreamAsync(request, AnswerCacheHttp.Read(http, null), ct);
            return new CompletionStream(session?.RecordAsync(request.Question, events, ct) ?? events, id, created, kb.Name, body.StreamOptions?.IncludeUsage == true);
        }

        var answer = await ask.AskAsync(request, AnswerCacheHttp.Read(http, null), ct);
        if (session is not null) await session.AppendAsync(request.Question, answer, ct);
        return Results.Ok(new
        {
            id,
            @object = "chat.completion",
            created,
            model = kb.Name,
            choices = new[] { new { index = 0, message = new { role = "assistant", content = answer.Text }, finish_reason = "stop" } },
            usage = Usage(answer.Usage),
            quarry_citations = answer.Citations,
            quarry = Extension(answer),
        });
    }

    /// <summary>OpenAI clients expect usage on every completion: an extractive answer or a cache hit called no model,
    /// so it used no model tokens.</summary>
    private static object Usage(TokenUsage? usage) => usage is null
        ? new { prompt_tokens = 0, completion_tokens = 0, total_tokens = 0 }
        : new { prompt_tokens = usage.InputTokens, completion_tokens = usage.OutputTokens, total_tokens = usage.TotalTokens };

    private static object Extension(Answer answer) => new
    {
        grounded = answer.Grounded,
        abstained = answer.Abstained,
        abstentionReason = answer.AbstentionReason,
        model = answer.Model,
        degraded = answer.Degraded,
        rewrittenQuery = answer.RewrittenQuery,
        route = answer.Route,
        cost = answer.Cost,
        cache = answer.Cache,
    };

    /// <summary>A problem that OpenAI clients also understand: they read <c>error.message</c>.</summary>
    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult OpenAiProblem(ProblemKind kind, string message, string code)
    {
        var problem = Problems.Create(kind, message);
        problem.Extensions["error"] = new { message, type = kind.Code, code };
        return TypedResults.Problem(problem);
    }

    private static string TextOf(JsonElement content) => content.ValueKind switch
    {
        JsonValueKind.String => content.GetString() ?? "",
        JsonValueKind.Array => string.Join("\n", content.EnumerateArray()
            .Where(p => p.ValueKind == JsonValueKind.Object && p.TryGetProperty("type", out var t) && t.GetString() == "text" && p.TryGetProperty("text", out _))
            .Select(p => p.GetProperty("text").GetString())),
        JsonValueKind.Null or JsonValueKind.Undefined => "",
        _ => throw new BadHttpRequestException("A message's 'content' must be a string or an array of parts."),
    };

    /// <summary>OpenAI's stream: <c>data: {chunk}</c> events, the last chunk carrying finish_reason and the Quarry
    /// extension fields, then <c>data: [DONE]</c>.</summary>
    /// <param name="includeUsage">OpenAI's <c>stream_options.include_usage</c>: one more chunk, with no choices and the usage.</param>
    private sealed class CompletionStream(IAsyncEnumerable<AnswerEvent> events, string id, long created, string model, bool includeUsage) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var ct = httpContext.RequestAborted;
            var json = ((IOptions<JsonOptions>)httpContext.RequestServices.GetService(typeof(IOptions<JsonOptions>))!).Value.SerializerOptions;
            await using var e = events.GetAsyncEnumerator(ct);
            if (!await e.MoveNextAsync()) return;
            var sse = ServerSentEvents.Start(httpContext, json);
            try
            {
                await sse.WriteAsync(null, Chunk(new { role = "assistant", content = "" }, null), ct);
                do
                {
                    switch (e.Current)
                    {
                        case DeltaEvent delta:
                            await sse.WriteAsync(null, Chunk(new { content = delta.Text }, null), ct);
                            break;
                        case DoneEvent done:
                            await sse.WriteAsync(null, new
                            {
                                id,
                                @object = "chat.completion.chunk",
                                created,
                                model,
                                choices = new[] { new { index = 0, delta = new { }, finish_reason = "stop" } },
                                quarry_citations = done.Answer.Citations,
                                quarry = Extension(done.Answer),
                            }, ct);
                            if (includeUsage)
                            {
                                await sse.WriteAsync(null, new
                                {
                                    id, @object = "chat.completion.chunk", created, model, choices = Array.Empty<object>(), usage = Usage(done.Answer.Usage),
                                }, ct);
                            }
                            break;
                    }
                }
                while (await e.MoveNextAsync());
                await sse.WriteRawAsync(null, "[DONE]", ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                var problem = QuarryExceptionHandler.Map(ex);
                await sse.TryWriteAsync(null, new { error = new { message = problem.Detail ?? problem.Title, type = problem.Type, code = problem.Status } });
            }
        }

        private object Chunk(object delta, string? finishReason) => new
        {
            id,
            @object = "chat.completion.chunk",
            created,
            model,
            choices = new[] { new { index = 0, delta, finish_reason = finishReason } },
        };
    }
}
