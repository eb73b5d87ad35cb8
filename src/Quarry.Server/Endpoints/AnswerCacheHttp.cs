using Microsoft.AspNetCore.Http;
using Quarry.Caching;

namespace Quarry.Server.Endpoints;

/// <summary>How a client steers the answer cache: <c>Cache-Control: no-cache</c> (or <c>no-store</c>) or
/// <c>"cache": "bypass"</c> in the body answer afresh and store nothing.</summary>
internal static class AnswerCacheHttp
{
    public static AnswerCacheRequest Read(HttpContext http, string? bodyCache)
    {
        var header = http.Request.Headers.CacheControl.ToString();
        var bypass = string.Equals(bodyCache, "bypass", StringComparison.OrdinalIgnoreCase)
            || header.Contains("no-cache", StringComparison.OrdinalIgnoreCase)
            || header.Contains("no-store", StringComparison.OrdinalIgnoreCase);
        // Document permissions will pass the caller's access scope here; until then every reader of a tenant sees the same documents.
        return bypass ? Bypass : Default;
    }

    private static readonly AnswerCacheRequest Default = new();
    private static readonly AnswerCacheRequest Bypass = new(Bypass: true);
}
