using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Quarry.Audit;

/// <summary>
/// The single writer of this process: takes what is queued (up to a batch), appends it in one transaction, repeats.
/// On a clean shutdown the trail stops accepting records and the writer appends everything still queued before it
/// returns. A failing append is retried; fail-open gives up on the batch after a few attempts (counted), fail-closed
/// keeps it and retries until the store recovers or the host stops.
/// </summary>
internal sealed class AuditWriter(AuditTrail trail, IAuditStore store, TimeProvider time, ILogger<AuditWriter> logger) : BackgroundService
{
    private const int OpenModeAttempts = 3;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private volatile bool _stopping;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        trail.Complete();
        await base.StopAsync(cancellationToken);
        // ExecuteAsync runs on the thread pool and may not have started (or been cancelled before it started) when a
        // short-lived host stops: whatever it left queued is written here, once it is no longer reading.
        if (ExecuteTask is null || ExecuteTask.IsCompleted)
        {
            var reader = trail.Reader;
            var batch = new List<PendingRecord>(trail.Options.BatchSize);
            var drained = 0;
            while (true)
            {
                while (batch.Count < trail.Options.BatchSize && reader.TryRead(out var pending)) batch.Add(pending);
                if (batch.Count == 0) break;
                await WriteAsync(batch, cancellationToken);
                drained += batch.Count;
                batch.Clear();
            }
            if (drained > 0) AuditLog.Drained(logger, drained);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = trail.Reader;
        var batch = new List<PendingRecord>(trail.Options.BatchSize);
        var drained = 0;
        // Not cancelled by stoppingToken: the loop ends when the trail is completed and everything queued is written.
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            if (!_stopping && reader.Count < trail.Options.BatchSize) await LingerAsync(stoppingToken);
            while (batch.Count < trail.Options.BatchSize && reader.TryRead(out var pending)) batch.Add(pending);
            await WriteAsync(batch, stoppingToken);
            if (_stopping) drained += batch.Count;
            batch.Clear();
        }
        if (drained > 0) AuditLog.Drained(logger, drained);
    }

    private async Task LingerAsync(CancellationToken stoppingToken)
    {
        if (trail.Options.BatchDelay <= TimeSpan.Zero) return;
        try
        {
            await Task.Delay(trail.Options.BatchDelay, time, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping: what is queued is written at once.
        }
    }

    private async Task WriteAsync(List<PendingRecord> batch, CancellationToken stoppingToken)
    {
        var records = batch.Select(p => p.Record).ToList();
        for (var attempt = 1; ; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await store.AppendAsync(records, CancellationToken.None);
                var committed = Stopwatch.GetTimestamp();
                AuditMetrics.AppendDuration.Record(Stopwatch.GetElapsedTime(started, committed).TotalMilliseconds);
                foreach (var pending in batch)
                    AuditMetrics.CommitDelay.Record(Stopwatch.GetElapsedTime(pending.EnqueuedAt, committed).TotalMilliseconds);
                trail.SetFailing(false);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                AuditMetrics.WriteFailures.Add(1);
                AuditLog.AppendFailed(logger, e, records.Count, attempt, trail.FailureMode.ToString());
                trail.SetFailing(true);
                var giveUp = trail.FailureMode == AuditFailureMode.Open ? attempt >= OpenModeAttempts : stoppingToken.IsCancellationRequested;
                if (giveUp)
                {
                    AuditMetrics.Dropped.Add(records.Count);
                    AuditLog.GaveUp(logger, records.Count, attempt);
                    return;
                }
                try
                {
                    var backoff = TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 100 * Math.Pow(3, attempt - 1)));
                    await Task.Delay(backoff, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    // Stopping: one last attempt follows, then (still failing) the batch is given up.
                }
            }
        }
    }
}
