using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Quarry.Server.Errors;

/// <summary>
/// Every error leaves the server as RFC 7807 problem details whose <c>type</c> is one of these stable URIs
/// (<c>urn:quarry:problem:&lt;code&gt;</c>); clients branch on the type, people read the title and detail.
/// </summary>
internal static class Problems
{
    public const string TypePrefix = "urn:quarry:problem:";

    public static readonly ProblemKind InvalidRequest = new(400, "invalid-request", "The request is not valid.");
    public static readonly ProblemKind MalformedJson = new(400, "malformed-json", "The request body is not valid JSON for this endpoint.");
    public static readonly ProblemKind InvalidQuery = new(400, "invalid-query", "The query cannot be run as given.");
    public static readonly ProblemKind Unauthorized = new(401, "unauthorized", "A valid API key is required.");
    public static readonly ProblemKind Forbidden = new(403, "forbidden", "The API key's role does not allow this operation.");
    public static readonly ProblemKind ForbiddenOrigin = new(403, "forbidden-origin", "The request comes from another web origin.");
    public static readonly ProblemKind NotFound = new(404, "not-found", "Not found.");
    public static readonly ProblemKind Conflict = new(409, "conflict", "The request conflicts with existing state.");
    public static readonly ProblemKind PayloadTooLarge = new(413, "payload-too-large", "The request body is too large.");
    public static readonly ProblemKind UnsupportedMediaType = new(415, "unsupported-media-type", "The request's content type is not supported here.");
    public static readonly ProblemKind DocumentRejected = new(422, "document-rejected", "The document cannot be ingested.");
    public static readonly ProblemKind RateLimited = new(429, "rate-limited", "Too many requests.");
    public static readonly ProblemKind QuotaExceeded = new(429, "quota-exceeded", "The tenant's quota is used up.");
    public static readonly ProblemKind Internal = new(500, "internal-error", "The server failed to handle the request.");
    public static readonly ProblemKind ModelUnavailable = new(502, "model-unavailable", "The model provider failed.");
    public static readonly ProblemKind Unavailable = new(503, "unavailable", "The service is not ready.");
    public static readonly ProblemKind StoreUnavailable = new(503, "store-unavailable", "The database is not reachable; try again shortly.");
    public static readonly ProblemKind Timeout = new(504, "timeout", "The request took longer than its time limit.");

    public static IReadOnlyList<ProblemKind> All { get; } =
    [
        InvalidRequest, MalformedJson, InvalidQuery, Unauthorized, Forbidden, ForbiddenOrigin, NotFound, Conflict, PayloadTooLarge,
        UnsupportedMediaType, DocumentRejected, RateLimited, QuotaExceeded, Internal, ModelUnavailable,
        Unavailable, StoreUnavailable, Timeout,
    ];

    public static ProblemDetails Create(ProblemKind kind, string? detail = null) => new()
    {
        Status = kind.Status,
        Type = kind.Type,
        Title = kind.Title,
        Detail = detail,
    };

    public static IResult Result(ProblemKind kind, string? detail = null) => TypedResults.Problem(Create(kind, detail));

    public static IResult NotFoundResult(string detail) => Result(NotFound, detail);

    public static IResult Invalid(string detail) => Result(InvalidRequest, detail);

    /// <summary>Writes a problem outside an endpoint (authentication, rate limiter, timeouts), through the same
    /// writer as endpoint results so that every problem carries a trace id.</summary>
    public static async Task WriteAsync(HttpContext context, ProblemDetails problem)
    {
        context.Response.StatusCode = problem.Status ?? 500;
        var writer = context.RequestServices.GetService(typeof(IProblemDetailsService)) as IProblemDetailsService;
        if (writer is null || !await writer.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }))
            await context.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json", context.RequestAborted);
    }
}

internal sealed record ProblemKind(int Status, string Code, string Title)
{
    public string Type => Problems.TypePrefix + Code;
}
