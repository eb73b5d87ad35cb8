using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Quarry.Conversations;

/// <summary>Deletes sessions unused for <see cref="ConversationOptions.RetentionDays"/>, every sweep interval.</summary>
internal sealed class ConversationRetentionSweep(IConversationStore store, IOptions<ConversationOptions> options, TimeProvider time,
    ILogger<ConversationRetentionSweep> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                ConversationLog.SweepFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow().AddDays(-options.Value.RetentionDays);
        var deleted = await store.PurgeAsync(cutoff, cancellationToken);
        if (deleted > 0) ConversationLog.Purged(logger, deleted, cutoff);
        return deleted;
    }
}
