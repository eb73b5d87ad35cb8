using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Quarry.Audit;

/// <summary>Deletes records older than <see cref="AuditOptions.RetentionDays"/> every sweep interval, leaving a signed
/// checkpoint in their place so that the rest of each chain still verifies.</summary>
internal sealed class AuditRetentionSweep(IAuditStore store, IOptions<AuditOptions> options, AuditCheckpointSigner signer, TimeProvider time,
    ILogger<AuditRetentionSweep> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.RetentionDays <= 0) return;
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                AuditLog.SweepFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow().AddDays(-options.Value.RetentionDays);
        var total = 0;
        foreach (var tenant in await store.ListTenantsAsync(cancellationToken))
        {
            var deleted = await store.PurgeAsync(tenant, cutoff, signer.Sign, cancellationToken);
            if (deleted > 0) AuditLog.Purged(logger, deleted, tenant.Value, cutoff);
            total += deleted;
        }
        return total;
    }
}
