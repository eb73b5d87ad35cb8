using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Quarry.Generation;
using Quarry.Parsing;
using Quarry.Retrieval;
using Quarry.Spending;
using Quarry.Storage;

namespace Quarry.Server.Errors;

/// <summary>
/// Maps the core's typed exceptions to problem details at the edge. Anything unexpected becomes a 500 with a generic
/// message: the exception is logged with the trace id, never sent to the client.
/// </summary>
internal sealed class QuarryExceptionHandler(ILogger<QuarryExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (httpContext.Response.HasStarted) return false;
        var problem = Map(exception);
        if (problem.Status >= 500)
            ServerLog.UnhandledError(logger, httpContext.Request.Method, httpContext.Request.Path, exception);
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
            httpContext.Response.Headers.RetryAfter = "5";
        if (exception is Limits.AskSlotsExhaustedException)
            httpContext.Response.Headers.RetryAfter = "1";
        if (exception is QuotaExceededException quota)
            httpContext.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(quota.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Problems.WriteAsync(httpContext, problem);
        return true;
    }

    public static ProblemDetails Map(Exception exception) => exception switch
    {
        BadHttpRequestException bad => MapBadRequest(bad),
        InvalidQueryException e => Problems.Create(Problems.InvalidQuery, e.Message),
        DocumentRejectedException e => WithReason(Problems.Create(Problems.DocumentRejected, e.Message), e.Code),
        StoreConflictException e => Problems.Create(Problems.Conflict, e.Message),
        ChatModelException e => Problems.Create(Problems.ModelUnavailable, e.Message),
        Limits.AskSlotsExhaustedException e => WithRetry(Problems.Create(Problems.RateLimited, e.Message), 1),
        QuotaExceededException e => WithQuota(Problems.Create(Problems.QuotaExceeded, e.Message), e),
        UnknownChatModelException e => Problems.Create(Problems.InvalidRequest, e.Message),
        // A database that went away mid-request (connection refused or dropped, failover, timeout): worth retrying.
        System.Data.Common.DbException { IsTransient: true } => Problems.Create(Problems.StoreUnavailable,
            "The request could not reach the database; nothing is known to have changed. Retry after a moment."),
        _ => Problems.Create(Problems.Internal, "An unexpected error occurred; the server log has the details under this trace id."),
    };

    private static ProblemDetails MapBadRequest(BadHttpRequestException bad) => bad.StatusCode switch
    {
        StatusCodes.Status413PayloadTooLarge => Problems.Create(Problems.PayloadTooLarge, bad.Message),
        StatusCodes.Status415UnsupportedMediaType => Problems.Create(Problems.UnsupportedMediaType, bad.Message),
        // The JSON reader's message says where the body went wrong (line, byte); it holds no server internals.
        _ when bad.InnerException is System.Text.Json.JsonException json => Problems.Create(Problems.MalformedJson, json.Message),
        _ => Problems.Create(Problems.InvalidRequest, bad.Message),
    };

    private static ProblemDetails WithRetry(ProblemDetails problem, long seconds)
    {
        problem.Extensions["retryAfterSeconds"] = seconds;
        return problem;
    }

    private static ProblemDetails WithQuota(ProblemDetails problem, QuotaExceededException quota)
    {
        problem.Extensions["quota"] = quota.Quota;
        problem.Extensions["retryAfterSeconds"] = Math.Max(1, (long)Math.Ceiling(quota.RetryAfter.TotalSeconds));
        return problem;
    }

    private static ProblemDetails WithReason(ProblemDetails problem, string reason)
    {
        problem.Extensions["reason"] = reason;
        return problem;
    }
}
