using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quarry.Documents;
using Quarry.Ingestion;
using Quarry.Server.Hosting;
using Quarry.Server.Lifecycle;
using Quarry.Storage;

namespace Quarry.Server.Jobs;

/// <summary>
/// Background workers that run upload jobs from the durable job store. Each loop claims a job under a lease, renews
/// the lease while it works, and completes the job exactly once; a process killed mid-job leaves a lease that
/// expires, and the job is claimed again (ingestion is idempotent by checksum, so nothing is stored twice).
/// Provider throttling (embedding failures) slows the worker down and retries instead of failing the job.
/// </summary>
internal sealed class IngestionWorkers(
    IIngestionJobStore jobs,
    IDocumentStore store,
    DocumentIngestor ingestor,
    UploadStore uploads,
    JobSignal signal,
    JobEstimates estimates,
    WorkerStatus status,
    StoreReadiness storeReadiness,
    IOptions<WorkerOptions> options,
    IOptions<ShutdownOptions> shutdown,
    TimeProvider time,
    ILogger<IngestionWorkers> logger) : BackgroundService
{
    /// <summary>Stage names shown in job progress; a finished job's stage is its outcome.</summary>
    public const string StageIngesting = "ingesting";
    public const string StageRejected = "rejected";
    public const string StageThrottled = "throttled";

    private readonly WorkerOptions _options = options.Value;

    /// <summary>Cancels jobs in progress: after the drain time on shutdown (stoppingToken only stops claiming).</summary>
    private readonly CancellationTokenSource _abort = new();

    /// <summary>SIGTERM: stop claiming now; running jobs get the drain time to finish, then their leases are released.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        var drain = shutdown.Value.DrainTimeout;
        LifecycleLog.Draining(logger, drain.TotalSeconds);
        using var drainOver = new CancellationTokenSource(drain, time);
        using var onDrainOver = drainOver.Token.Register(_abort.Cancel);
        // The host's own budget ending first must also stop the jobs, or they would outlive the process unreleased.
        using var onHostTimeout = cancellationToken.Register(_abort.Cancel);
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _abort.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // While start-up waits for an unreachable database, claiming would only fail and log every poll.
        while (!storeReadiness.IsReady)
        {
            if (!await Delay(_options.PollInterval, stoppingToken)) return;
        }
        status.MarkRunning(_options.Count);
        var prefix = string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}:{Environment.ProcessId}:");
        await Task.WhenAll(Enumerable.Range(0, _options.Count).Select(i => RunLoopAsync(prefix + i, stoppingToken)));
    }

    private async Task<bool> Delay(TimeSpan delay, CancellationToken stoppingToken)
    {
        await Task.Delay(delay, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return !stoppingToken.IsCancellationRequested;
    }

    private async Task RunLoopAsync(string workerId, CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var job = await jobs.ClaimNextAsync(workerId, _options.Lease, _options.EffectiveMaxRunningPerTenant, stoppingToken);
                if (job is null)
                {
                    await signal.WaitAsync(_options.PollInterval, stoppingToken);
                    continue;
                }
                await ProcessAsync(job, workerId);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A store hiccup must not end the loop; back off a little and go on.
                ServerLog.WorkerLoopFailed(logger, workerId, ex);
                await Task.Delay(_options.PollInterval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task ProcessAsync(IngestionJob job, string workerId)
    {
        ServerLog.JobClaimed(logger, job.Id.Value, workerId, job.Attempts);
        var started = time.GetTimestamp();
        estimates.Started(job.Id.Value);
        var payload = IngestionPayload.TryParse(job.Payload);
        if (payload is null)
        {
            await FinishAsync(job, workerId, payload, JobStatus.Failed, StageRejected, "invalid-payload: the job's payload cannot be read.", started);
            return;
        }

        using var work = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
        var progress = new JobProgress(StageIngesting, 0, 1);
        using var heartbeat = StartHeartbeat(job.Id, workerId, () => progress, work);
        try
        {
            if (!await jobs.HeartbeatAsync(job.Id, workerId, _options.Lease, progress, work.Token))
            {
                ServerLog.JobStopped(logger, job.Id.Value);
                return;
            }
            var knowledgeBase = await store.FindKnowledgeBaseAsync(job.TenantId, payload.KnowledgeBase, work.Token);
            if (knowledgeBase is null || knowledgeBase.Id != job.KnowledgeBaseId)
            {
                await FinishAsync(job, workerId, payload, JobStatus.Failed, StageRejected,
                    $"knowledge-base-deleted: the knowledge base '{payload.KnowledgeBase}' was deleted before the upload was ingested.", started);
                return;
            }

            var path = await uploads.FetchAsync(payload.Upload, work.Token);
            if (path is null)
            {
                await FinishAsync(job, workerId, payload, JobStatus.Failed, StageRejected, "upload-missing: the uploaded file is gone from the upload folder.", started);
                return;
            }
            var source = IngestSource.FromFile(path, payload.FileName) with
            {
                SourceUri = payload.SourceUri,
                FileName = payload.FileName,
                ContentType = payload.ContentType,
                Title = payload.Title,
            };
            var report = await ingestor.IngestAsync(new IngestRequest(job.TenantId, payload.KnowledgeBase, [source], payload.Tags, Job: job.Id, Allow: payload.Allow), null, work.Token);

            if (report.Failed.Count > 0)
            {
                var failure = report.Failed[0];
                if (failure.Reason == JobFencedException.Code)
                {
                    await StopFencedAsync(job, payload);
                    return;
                }
                if (failure.Reason is "embedding-failed" or "store-error" && job.Attempts < _options.MaxAttempts)
                {
                    await BackOffAsync(job, workerId, failure.Error, work.Token);
                    return;
                }
                await FinishAsync(job, workerId, payload, JobStatus.Failed, StageRejected, $"{failure.Reason}: {failure.Error}", started);
                return;
            }
            var outcome = report.Items[0].Outcome.ToString().ToLowerInvariant();
            progress = new JobProgress(outcome, 1, 1);
            await FinishAsync(job, workerId, payload, JobStatus.Succeeded, outcome, null, started);
        }
        catch (OperationCanceledException) when (work.IsCancellationRequested)
        {
            // Shutdown past the drain time: hand the job back now rather than after its lease runs out.
            // Cancelled or lease lost: someone else owns it now.
            estimates.Forget(job.Id.Value);
            if (_abort.IsCancellationRequested)
            {
                await ReleaseAsync(job, workerId);
                return;
            }
            ServerLog.JobStopped(logger, job.Id.Value);
            await DeleteUploadIfFinalAsync(job, payload);
        }
        catch (JobFencedException)
        {
            await StopFencedAsync(job, payload);
        }
        catch (Exception ex)
        {
            ServerLog.JobCrashed(logger, job.Id.Value, ex);
            await FinishAsync(job, workerId, payload, JobStatus.Failed, StageRejected, "error: " + ex.Message, started);
        }
    }

    /// <summary>Records the final stage, completes the job and removes its upload. Completion uses no request token:
    /// the work is done, and a late cancellation must not leave it unrecorded.</summary>
    private async Task FinishAsync(IngestionJob job, string workerId, IngestionPayload? payload, JobStatus final, string stage, string? error, long started)
    {
        await jobs.HeartbeatAsync(job.Id, workerId, _options.Lease, new JobProgress(stage, 1, 1), CancellationToken.None);
        var completed = await jobs.CompleteAsync(job.Id, workerId, final, error, CancellationToken.None);
        estimates.Finished(job.Id.Value, payload?.SizeBytes ?? 0);
        if (completed && payload is not null)
            await uploads.DeleteEverywhereAsync(payload.Upload, CancellationToken.None);
        ServerLog.JobFinished(logger, job.Id.Value, final.ToString().ToLowerInvariant(), stage, time.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>A lease of one millisecond is a released one: the next claim anywhere takes the job (attempts + 1) and runs
    /// it from the start; ingestion is idempotent by checksum, so nothing is stored twice.</summary>
    private async Task ReleaseAsync(IngestionJob job, string workerId)
    {
        try
        {
            await jobs.HeartbeatAsync(job.Id, workerId, TimeSpan.FromMilliseconds(1), new JobProgress("released", 0, 1), CancellationToken.None);
            LifecycleLog.JobReleased(logger, job.Id.Value);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The store is going away too: the lease then simply expires.
            ServerLog.WorkerLoopFailed(logger, workerId, ex);
        }
    }

    /// <summary>A delete cancelled the job while it ran: its result was refused, the job is already final.</summary>
    private async Task StopFencedAsync(IngestionJob job, IngestionPayload? payload)
    {
        estimates.Forget(job.Id.Value);
        ServerLog.JobStopped(logger, job.Id.Value);
        await DeleteUploadIfFinalAsync(job, payload);
    }

    private async Task DeleteUploadIfFinalAsync(IngestionJob job, IngestionPayload? payload)
    {
        if (payload is null) return;
        var current = await jobs.GetAsync(job.TenantId, job.Id, CancellationToken.None);
        if (current is { Status: JobStatus.Cancelled or JobStatus.Succeeded or JobStatus.Failed })
            await uploads.DeleteEverywhereAsync(payload.Upload, CancellationToken.None);
    }

    /// <summary>Leaves the job claimed but idle: its lease runs out and it is claimed again (attempts + 1), while this
    /// worker waits out an exponential delay so a throttling provider sees fewer calls.</summary>
    private async Task BackOffAsync(IngestionJob job, string workerId, string error, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, job.Attempts), 60));
        if (delay < _options.Lease) delay = _options.Lease;
        ServerLog.JobBackoff(logger, job.Id.Value, error, delay);
        // Shown by GET /v1/jobs/{id} until the job is claimed again.
        await jobs.HeartbeatAsync(job.Id, workerId, _options.Lease, new JobProgress(StageThrottled, 0, 1), cancellationToken);
        estimates.Forget(job.Id.Value);
        await Task.Delay(delay, time, cancellationToken);
    }

    private Heartbeat StartHeartbeat(JobId job, string workerId, Func<JobProgress> progress, CancellationTokenSource work)
    {
        var heartbeat = new Heartbeat(work);
        heartbeat.Task = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(_options.Lease / 3, time);
            try
            {
                while (await timer.WaitForNextTickAsync(heartbeat.Stopping))
                {
                    if (!await jobs.HeartbeatAsync(job, workerId, _options.Lease, progress(), heartbeat.Stopping))
                    {
                        // Cancelled by a user, or the lease was lost: stop working on it.
                        await work.CancelAsync();
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        return heartbeat;
    }

    private sealed class Heartbeat(CancellationTokenSource work) : IDisposable
    {
        private readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(work.Token);
        public CancellationToken Stopping => _stop.Token;
        public Task Task { get; set; } = Task.CompletedTask;

        public void Dispose()
        {
            _stop.Cancel();
            _stop.Dispose();
        }
    }
}

/// <summary>Whether this process runs workers, for /readyz.</summary>
internal sealed class WorkerStatus
{
    private volatile int _workers = -1;

    public void MarkRunning(int workers) => _workers = workers;

    /// <summary>-1 before the workers started (or in an API-only process).</summary>
    public int Workers => _workers;
}
