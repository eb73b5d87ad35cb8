using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Quarry.Embedding;

/// <summary>Applies <see cref="EmbeddingCacheOptions"/>' bounds to the stored embedding cache every eviction interval.</summary>
internal sealed class EmbeddingCacheEvictor(IEmbeddingCacheEviction? store, IOptions<EmbeddingCacheOptions> options, TimeProvider time,
    ILogger<EmbeddingCacheEvictor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        // A store without eviction (a test double) leaves the table as it is.
        if (store is null || (o.MaxStoredRows <= 0 && o.MaxStoredAge <= TimeSpan.Zero)) return;
        using var timer = new PeriodicTimer(o.EvictionInterval, time);
        do
        {
            try
            {
                var olderThan = o.MaxStoredAge > TimeSpan.Zero ? time.GetUtcNow() - o.MaxStoredAge : (DateTimeOffset?)null;
                var deleted = await store.EvictEmbeddingCacheAsync(olderThan, o.MaxStoredRows, stoppingToken);
                if (deleted > 0) EmbeddingLog.CacheEvicted(logger, deleted);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                EmbeddingLog.CacheEvictionFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
