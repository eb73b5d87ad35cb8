using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Quarry.Documents;
using Quarry.Ingestion;
using Quarry.Server.Auth;
using Quarry.Server.Errors;
using Quarry.Server.Hosting;
using Quarry.Server.Jobs;

namespace Quarry.Server.Endpoints;

internal static class JobEndpoints
{
    private const int MaxList = 500;

    public static void Map(RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/jobs").WithTags("Jobs");

        group.MapGet("", async (HttpContext http, IIngestionJobStore jobs, JobEstimates estimates, IOptions<WorkerOptions> workers,
            CancellationToken ct, string? status, int? limit) =>
        {
            JobStatus? filter = null;
            if (status is not null)
            {
                if (!Enum.TryParse<JobStatus>(status, ignoreCase: true, out var parsed) || int.TryParse(status, out _))
                    return Problems.Invalid("'status' must be queued, running, succeeded, failed or cancelled.");
                filter = parsed;
            }
            var take = limit ?? 100;
            if (take is < 1 or > MaxList) return Problems.Invalid($"'limit' must be between 1 and {MaxList}.");
            var items = (await jobs.ListAsync(http.User.Tenant(), filter, take, ct)).Where(j => Visible(http.User, j)).ToList();
            var queued = items.Where(j => j.Status == JobStatus.Queued).OrderBy(j => j.CreatedAt).Select(j => j.Id).ToList();
            return Results.Ok(new JobListResponse(items.Select(j => ToResponse(j, estimates, queued.IndexOf(j.Id), workers.Value.Count)).ToList()));
        }).RequireAuthorization(Policies.Reader).WithName("ListJobs").Produces<JobListResponse>();

        group.MapGet("/{id}", async (string id, HttpContext http, IIngestionJobStore jobs, JobEstimates estimates,
            IOptions<WorkerOptions> workers, CancellationToken ct) =>
        {
            var tenant = http.User.Tenant();
            var job = Identifiers.Job(id) is { } jobId ? await jobs.GetAsync(tenant, jobId, ct) : null;
            if (job is null || !Visible(http.User, job)) return JobNotFound(id);
            var ahead = job.Status == JobStatus.Queued ? await QueuedAheadAsync(jobs, tenant, job, ct) : 0;
            return Results.Ok(ToResponse(job, estimates, ahead, workers.Value.Count));
        }).RequireAuthorization(Policies.Reader).WithName("GetJob").Produces<JobResponse>();

        group.MapPost("/{id}/cancel", async (string id, HttpContext http, IIngestionJobStore jobs, UploadStore uploads,
            JobEstimates estimates, IOptions<WorkerOptions> workers, CancellationToken ct) =>
        {
            var tenant = http.User.Tenant();
            var jobId = Identifiers.Job(id);
            var job = jobId is { } known ? await jobs.GetAsync(tenant, known, ct) : null;
            if (job is null || !Visible(http.User, job)) return JobNotFound(id);
            if (!await jobs.CancelAsync(tenant, job.Id, ct))
                return Problems.Result(Problems.Conflict, $"Job '{id}' is already {job.Status.ToString().ToLowerInvariant()}.");
            // A queued job never reaches a worker, so its upload is removed here; a running one's worker removes it.
            if (job.Status == JobStatus.Queued && IngestionPayload.TryParse(job.Payload) is { } payload)
                uploads.Delete(payload.Upload);
            var cancelled = await jobs.GetAsync(tenant, job.Id, ct) ?? job;
            return Results.Ok(ToResponse(cancelled, estimates, 0, workers.Value.Count));
        }).RequireAuthorization(Policies.Writer).WithName("CancelJob").Produces<JobResponse>().ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<int> QueuedAheadAsync(IIngestionJobStore jobs, TenantId tenant, IngestionJob job, CancellationToken ct)
    {
        var queued = await jobs.ListAsync(tenant, JobStatus.Queued, MaxList, ct);
        return queued.Count(j => j.CreatedAt < job.CreatedAt);
    }

    /// <summary>A knowledge-base-limited key sees only the jobs of its knowledge bases (the tenant is already the store's filter).</summary>
    private static bool Visible(ClaimsPrincipal user, IngestionJob job) =>
        user.KnowledgeBases() is null || user.MayUse(IngestionPayload.TryParse(job.Payload)?.KnowledgeBase);

    private static IResult JobNotFound(string id) => Problems.NotFoundResult($"No job '{id}'.");

    public static JobResponse ToResponse(IngestionJob job, JobEstimates estimates, int ahead, int workers)
    {
        var payload = IngestionPayload.TryParse(job.Payload);
        var final = job.Status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled;
        var eta = final ? 0 : estimates.Eta(job.Id.Value, job.Status == JobStatus.Running, payload?.SizeBytes ?? 0, Math.Max(0, ahead), workers);
        JobErrorResponse? error = null;
        if (job.Error is { } message)
        {
            var colon = message.IndexOf(": ", StringComparison.Ordinal);
            error = colon > 0 && !message[..colon].Contains(' ', StringComparison.Ordinal)
                ? new JobErrorResponse(message[..colon], message[(colon + 2)..])
                : new JobErrorResponse("error", message);
        }
        var stage = job.Status == JobStatus.Queued ? "queued" : job.Progress?.Stage;
        return new JobResponse(
            job.Id.Value,
            job.Status,
            payload?.KnowledgeBase,
            job.DocumentId?.Value,
            payload?.FileName,
            payload?.SourceUri,
            payload?.SizeBytes,
            stage,
            new JobProgressResponse(job.Progress?.Done ?? 0, job.Progress?.Total ?? 1),
            eta,
            job.Attempts,
            job.Status == JobStatus.Succeeded ? job.Progress?.Stage : null,
            error,
            job.CreatedAt,
            job.UpdatedAt);
    }
}
