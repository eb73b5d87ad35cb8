using Microsoft.Extensions.Hosting;

namespace Quarry.Caching.Redis;

/// <summary>Opens the Redis connection when the host starts, without waiting for it: start-up never depends on Redis.</summary>
internal sealed class RedisConnectionStarter(RedisAnswerCacheStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        store.Connect();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
