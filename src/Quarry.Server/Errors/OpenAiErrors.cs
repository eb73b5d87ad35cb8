using Microsoft.AspNetCore.Http;

namespace Quarry.Server.Errors;

/// <summary>
/// OpenAI clients read an error from <c>error.message</c> and show "401 status code (no body)" when there is none, so
/// every problem on the OpenAI-compatible routes also carries OpenAI's <c>error</c> object beside the RFC 7807 fields.
/// </summary>
internal static class OpenAiErrors
{
    public static void Add(ProblemDetailsContext context)
    {
        var path = context.HttpContext.Request.Path;
        if (!path.StartsWithSegments("/v1/chat/completions") && !path.StartsWithSegments("/v1/models")) return;
        var problem = context.ProblemDetails;
        if (problem.Extensions.ContainsKey("error")) return;
        var code = problem.Type is { } t && t.StartsWith(Problems.TypePrefix, StringComparison.Ordinal) ? t[Problems.TypePrefix.Length..] : null;
        var (type, openAiCode) = (problem.Status, code) switch
        {
            (401, _) => ("invalid_request_error", "invalid_api_key"),
            (403, _) => ("permission_error", code),
            (404, _) => ("invalid_request_error", code),
            (429, "quota-exceeded") => ("insufficient_quota", "insufficient_quota"),
            (429, _) => ("requests", "rate_limit_exceeded"),
            (>= 500, _) => ("server_error", code),
            _ => ("invalid_request_error", code),
        };
        problem.Extensions["error"] = new { message = problem.Detail ?? problem.Title, type, param = (string?)null, code = openAiCode };
    }
}
