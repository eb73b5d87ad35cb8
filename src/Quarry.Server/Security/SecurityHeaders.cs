using Microsoft.AspNetCore.Http;

namespace Quarry.Server.Security;

/// <summary>
/// Headers on every response, API and UI alike. The UI loads only its own scripts and styles (no inline code, no
/// CDN), so the policy can forbid everything else; answers render untrusted document text, and the policy is the
/// second line behind the sanitizer. Framing is refused outright: no Quarry page is meant to be embedded.
/// </summary>
internal static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
        "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        return next(context);
    }
}
