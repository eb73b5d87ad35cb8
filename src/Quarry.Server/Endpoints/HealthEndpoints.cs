using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Quarry.Documents;
using Quarry.Server.Hosting;
using Quarry.Server.Jobs;
using Quarry.Tenancy;

namespace Quarry.Server.Endpoints;

/// <summary><c>/healthz</c>: the process answers. <c>/readyz</c>: the store is reachable with its migrations applied,
/// the workers run (when this process has them) and start-up work (the vector index) is done. A database that is not
/// reachable yet makes <c>/readyz</c> answer 503 with the reason.</summary>
internal static class HealthEndpoints
{
    private static readonly TenantId Probe = new("readiness-probe");

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }))
            .AllowAnonymous().DisableRateLimiting().WithTags("Health").ExcludeFromDescription();

        app.MapGet("/readyz", async (ITenantStore tenants, StoreReadiness store, WorkerStatus workers, StartupState startup, IOptions<ServerOptions> server, CancellationToken ct) =>
        {
            var checks = new Dictionary<string, string>(StringComparer.Ordinal);
            if (!store.IsReady)
            {
                // Start-up is still retrying the connection: say why, without waiting on a connect timeout here.
                checks["store"] = $"unavailable: {store.Description}: {store.Reason}";
            }
            else try
            {
                // The first store call applies migrations; a failure here means the file is unusable.
                await tenants.GetUsageAsync(Probe, ct);
                checks["store"] = "ok";
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                checks["store"] = "unavailable: " + ex.Message;
            }
            checks["workers"] = !server.Value.RunsWorkers ? "not run by this process"
                : workers.Workers > 0 ? $"{workers.Workers} running" : "not started";
            checks["startup"] = startup.Done ? "ok" : "loading";
            var ready = checks["store"] == "ok" && startup.Done && (!server.Value.RunsWorkers || workers.Workers > 0);
            return Results.Json(new { status = ready ? "ready" : "not-ready", checks },
                statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous().DisableRateLimiting().WithTags("Health").ExcludeFromDescription();
    }
}
