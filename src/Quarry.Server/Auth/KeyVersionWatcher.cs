using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quarry.Server.Hosting;
using Quarry.Tenancy;

namespace Quarry.Server.Auth;

/// <summary>
/// Polls the store's keys version and clears <see cref="ApiKeyCache"/> when it changes, so a key revoked by another
/// replica or by the CLI stops working here within <see cref="AuthOptions.KeyVersionPollInterval"/> instead of
/// <see cref="AuthOptions.KeyCacheDuration"/>. One small query per interval per process.
/// </summary>
internal sealed partial class KeyVersionWatcher(ITenantStore store, ApiKeyCache cache, IOptions<AuthOptions> options, TimeProvider time, ILogger<KeyVersionWatcher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Mode != AuthMode.Keys || options.Value.KeyVersionPollInterval <= TimeSpan.Zero) return;
        string? seen = null;
        var failing = false;
        using var timer = new PeriodicTimer(options.Value.KeyVersionPollInterval, time);
        do
        {
            try
            {
                var version = await store.GetApiKeysVersionAsync(stoppingToken);
                if (seen is not null && version != seen) cache.Clear();
                seen = version;
                if (failing) StoreBack(logger);
                failing = false;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A store outage is reported by readiness; here it only means revocations wait for the cache period.
                if (!failing) StoreUnavailable(logger, ex.Message);
                failing = true;
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(6050, LogLevel.Warning, "Cannot read the API keys version ({Error}); key revocations by other processes take effect after Auth:KeyCacheDuration until it is readable")]
    private static partial void StoreUnavailable(ILogger logger, string error);

    [LoggerMessage(6051, LogLevel.Information, "The API keys version is readable again")]
    private static partial void StoreBack(ILogger logger);
}
