using System.Net;
using Microsoft.AspNetCore.Http;
using Quarry.Server.Errors;

namespace Quarry.Server.Security;

/// <summary>
/// Development mode has no keys, so any web page the developer visits could otherwise drive the local server: a form
/// POST is a "simple" request that needs no CORS preflight, and a DNS-rebinding page can even read answers. In that
/// mode only, state-changing requests from another origin are refused, and a server on a loopback address answers only
/// requests addressed to a loopback name. Clients that are not browsers (curl, SDKs) send no Origin and pass.
/// </summary>
internal static class DevelopmentRequestGuard
{
    public static async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var refusal = Refusal(context.Request, context.Connection.LocalIpAddress);
        if (refusal is null)
        {
            await next(context);
            return;
        }
        await Problems.WriteAsync(context, Problems.Create(Problems.ForbiddenOrigin, refusal));
    }

    internal static string? Refusal(HttpRequest request, IPAddress? localAddress)
    {
        if (localAddress is not null && IPAddress.IsLoopback(localAddress) && !IsLoopbackName(request.Host.Host))
            return $"This development server listens on a loopback address and answers only requests addressed to localhost, not '{request.Host.Host}'.";
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
            return null;
        string? site = request.Headers["Sec-Fetch-Site"];
        if (site is "cross-site" or "same-site")
            return "A development server (no API keys) refuses changes requested by another web site.";
        string? origin = request.Headers.Origin;
        if (!string.IsNullOrEmpty(origin) && !SameOrigin(origin, request))
            return $"A development server (no API keys) refuses changes requested from the origin '{origin}'.";
        return null;
    }

    private static bool SameOrigin(string origin, HttpRequest request) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);

    private static bool IsLoopbackName(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
}
