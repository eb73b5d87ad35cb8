using Microsoft.AspNetCore.Http;

namespace Quarry.Server.Errors;

/// <summary>Gives framework-made problems (unknown route, wrong method, status-code pages) the same stable types as
/// Quarry's own, and drops anything that could carry internals.</summary>
internal static class ProblemTypes
{
    public static void Normalize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        // The id to quote when reporting a problem: the same one the X-Trace-Id header, the logs and the audit carry.
        problem.Extensions["traceId"] = Observability.TraceIds.Of(context.HttpContext);
        try
        {
            if (problem.Type is { } type && type.StartsWith(Problems.TypePrefix, StringComparison.Ordinal)) return;
            Classify(context);
        }
        finally
        {
            OpenAiErrors.Add(context);
        }
    }

    private static void Classify(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        var kind = status switch
        {
            404 => Problems.NotFound,
            405 => Problems.InvalidRequest with { Status = 405, Code = "method-not-allowed", Title = "The method is not allowed on this route." },
            413 => Problems.PayloadTooLarge,
            415 => Problems.UnsupportedMediaType,
            401 => Problems.Unauthorized,
            403 => Problems.Forbidden,
            429 => Problems.RateLimited,
            >= 500 => Problems.Internal,
            _ => Problems.InvalidRequest,
        };
        problem.Type = kind.Type;
        problem.Title = kind.Title;
        problem.Status = status;
        problem.Extensions.Remove("exception");
    }
}
