using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Server.Errors;

namespace Quarry.Server.Hosting;

/// <summary>While the store is not reachable yet, every request except the health probes gets a 503 problem at once
/// (with the reason), instead of each waiting on its own connect timeout and failing with a 500.</summary>
internal static class StoreGate
{
    public static Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var store = context.RequestServices.GetRequiredService<StoreReadiness>();
        // Probes and the metrics scrape (anonymous endpoints that never touch the store) answer while the store is down.
        if (store.IsReady || context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null
            || context.Request.Path.StartsWithSegments("/healthz") || context.Request.Path.StartsWithSegments("/readyz"))
            return next(context);
        context.Response.Headers.RetryAfter = "5";
        return Problems.WriteAsync(context, Problems.Create(Problems.StoreUnavailable,
            $"The server is starting and cannot reach its database yet ({store.Description}: {store.Reason})."));
    }
}
