using Microsoft.AspNetCore.Http;
using Quarry.Caching;
using Quarry.Server.Auth;

namespace Quarry.Server.Endpoints;

/// <summary>How a client steers the answer cache: <c>Cache-Control: no-cache</c> (or <c>no-store</c>) or
/// <c>"cache": "bypass"</c> in the body answer afresh and store nothing. Computing an answer takes one of the tenant's
/// concurrent-answer slots; a hit takes none.</summary>
internal static class AnswerCacheHttp
{
    public static AnswerCacheRequest Read(HttpContext http, string? bodyCache)
    {
        var header = http.Request.Headers.CacheControl.ToString();
        var bypass = string.Equals(bodyCache, "bypass", StringComparison.OrdinalIgnoreCase)
            || header.Contains("no-cache", StringComparison.OrdinalIgnoreCase)
            || header.Contains("no-store", StringComparison.OrdinalIgnoreCase);
        // Callers who may see different documents never share an entry: the access scope is part of every key.
        var slots = (Limits.AskSlots?)http.RequestServices.GetService(typeof(Limits.AskSlots));
        return new AnswerCacheRequest(bypass, http.User.AccessScopeKey(), slots?.For(http));
    }
}
