using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quarry.Diagnostics;
using Quarry.Server.Auth;

namespace Quarry.Server.Observability;

/// <summary>
/// The outermost middleware: gives every response its trace id (<c>X-Trace-Id</c>), and for the answered routes
/// (search, ask, chat completions) opens the request's <see cref="RequestFacts"/>, then, once the response is complete,
/// counts and times it (<c>ai_request_total</c>, <c>ai_request_latency_ms</c>), writes its one summary log line and
/// tells the observers (the audit trail). Outermost, so it sees the final status the exception handler chose, and the
/// caller the authentication middleware found.
/// </summary>
internal sealed class RequestObservability(
    RequestDelegate next,
    IEnumerable<IRequestObserver> observers,
    IOptions<ObservabilityOptions> options,
    TimeProvider time,
    ILogger<RequestObservability> logger,
    Quarry.Privacy.PrivacyMasker privacy)
{
    public const string TraceHeader = "X-Trace-Id";

    private readonly IRequestObserver[] _observers = [.. observers];
    private readonly QueryLogging _logQuery = options.Value.LogQuery;

    public async Task InvokeAsync(HttpContext context)
    {
        var traceId = TraceIds.Of(context);
        context.Response.Headers[TraceHeader] = traceId;
        var route = Route(context.Request);
        if (route is null)
        {
            await next(context);
            return;
        }

        var facts = new RequestFacts(route) { StartedAt = time.GetUtcNow(), TraceId = traceId };
        var started = Stopwatch.GetTimestamp();
        using (RequestFacts.Begin(facts))
        {
            try
            {
                await next(context);
            }
            finally
            {
                Complete(context, facts, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
    }

    private void Complete(HttpContext context, RequestFacts facts, double elapsedMs)
    {
        facts.LatencyMs = elapsedMs;
        // 499 (nginx's "client closed request"): the caller left before any response; not a server failure.
        facts.Status = context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted ? 499 : context.Response.StatusCode;
        if (IsStream(context.Response)) facts.Route += "_stream";
        var user = context.User;
        facts.Tenant = user.TryTenant()?.Value;
        facts.KeyId = user.FindFirst(Caller.KeyClaim)?.Value;
        // The question reaches the log and the audit trail only as the tenant's privacy policy lets it leave.
        if (facts.Query is not null && user.TryTenant() is { } tenant && privacy.MasksOutput(tenant)) facts.Query = privacy.Mask(facts.Query, tenant);

        var model = facts.Model ?? "none";
        AiMetrics.Requests.Add(1,
            new(AiMetrics.Tags.Tenant, facts.Tenant ?? "unauthenticated"),
            new(AiMetrics.Tags.Route, facts.Route),
            new(AiMetrics.Tags.Model, model));
        AiMetrics.RequestLatency.Record(elapsedMs, new KeyValuePair<string, object?>(AiMetrics.Tags.Route, facts.Route));
        RequestSummary.Write(logger, facts, _logQuery);

        foreach (var observer in _observers)
        {
            try
            {
                observer.Completed(facts);
            }
            catch (Exception ex)
            {
                // An observer must never turn a served request into a failure: it reports its own faults.
                ObservabilityLog.ObserverFailed(logger, observer.GetType().Name, ex);
            }
        }
    }

    /// <summary>The answered routes, named as the metrics and audit name them; null for everything else.</summary>
    internal static string? Route(HttpRequest request)
    {
        if (!HttpMethods.IsPost(request.Method)) return null;
        var path = request.Path;
        if (path.Equals("/v1/search", StringComparison.OrdinalIgnoreCase)) return "search";
        if (path.Equals("/v1/ask", StringComparison.OrdinalIgnoreCase)) return "ask";
        if (path.Equals("/v1/chat/completions", StringComparison.OrdinalIgnoreCase)) return "chat_completions";
        // MCP messages; a tool call renames its route (mcp_search, mcp_ask…).
        if (path.Equals("/mcp", StringComparison.OrdinalIgnoreCase)) return "mcp";
        return null;
    }

    private static bool IsStream(HttpResponse response) =>
        response.ContentType?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) == true;
}
