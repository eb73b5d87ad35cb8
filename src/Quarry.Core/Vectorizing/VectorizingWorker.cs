using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Quarry.Vectorizing;

/// <summary>
/// Fills in the vectors ingestion left out (Ingestion:Vectors = Background): woken by each ingestion and by a periodic
/// sweep (which also resumes after a restart), it gives each waiting knowledge base a turn of a few batches, so a large
/// upload does not hold up a small one. An embedder failure backs off, doubling, and never touches the stored
/// documents, which stay searchable by keyword. Several replicas may fill the same gaps: storing a vector again
/// overwrites it with the same one.
/// </summary>
internal sealed class VectorizingWorker(
    VectorFiller filler,
    VectorizingSignal signal,
    IOptions<VectorizingOptions> options,
    TimeProvider time,
    ILogger<VectorizingWorker> logger,
    bool enabled) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!enabled || !filler.CanFill) return;
        var o = options.Value;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            bool more;
            try
            {
                more = await TurnAsync(o, stoppingToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures++;
                var delay = TimeSpan.FromTicks(Math.Min(o.MaxRetryDelay.Ticks, o.RetryDelay.Ticks * (1L << Math.Min(failures - 1, 20))));
                VectorizingLog.FillFailed(logger, failures, delay, e);
                await Task.Delay(delay, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }
            if (more) continue;
            try
            {
                await signal.WaitAsync(o.SweepInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <returns>True when some knowledge base still waits for vectors after its turn.</returns>
    private async Task<bool> TurnAsync(VectorizingOptions o, CancellationToken cancellationToken)
    {
        var waiting = await filler.ListWaitingAsync(cancellationToken);
        if (waiting.Count == 0)
        {
            VectorizingTelemetry.SetBacklog(0);
            return false;
        }
        var backlog = 0L;
        var more = 0;
        var embedded = 0;
        string? model = null;
        await Parallel.ForEachAsync(waiting, new ParallelOptions { MaxDegreeOfParallelism = o.Concurrency, CancellationToken = cancellationToken },
            async (kb, ct) =>
            {
                var report = await filler.FillAsync(kb, o.BatchesPerTurn, null, ct);
                model = report.Model.Id;
                Interlocked.Add(ref embedded, report.Embedded);
                if (report.Missing is > 0)
                {
                    Interlocked.Add(ref backlog, report.Missing.Value);
                    Interlocked.Increment(ref more);
                }
            });
        VectorizingTelemetry.SetBacklog(backlog);
        if (more > 0) VectorizingLog.Backlog(logger, model ?? "-", backlog, more);
        // A turn that filled nothing (chunks replaced under it, say) waits for the next wake or sweep instead of spinning.
        return more > 0 && embedded > 0;
    }
}
