using Microsoft.Extensions.Logging;

namespace Quarry.Server.Hosting;

/// <summary>
/// Whether the store can be used yet. A server whose database is unreachable at start-up still starts: it answers
/// <c>/readyz</c> with 503 and the reason, fails other requests with a 503 problem, and keeps trying to connect with a
/// capped exponential backoff until it succeeds.
/// </summary>
internal sealed class StoreReadiness(string description, Func<CancellationToken, Task>? ensureReady)
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    private volatile bool _ready = ensureReady is null;
    private volatile string? _reason;

    /// <summary>Where the store is (host, port and database; never a password).</summary>
    public string Description { get; } = description;

    public bool IsReady => _ready;

    /// <summary>Why the store is not ready (the last connection error), or null.</summary>
    public string? Reason => _ready ? null : _reason ?? "connecting";

    /// <summary>One attempt, for hosts that fail instead of waiting (the CLI).</summary>
    public Task EnsureOnceAsync(CancellationToken cancellationToken) => ensureReady?.Invoke(cancellationToken) ?? Task.CompletedTask;

    public async Task WaitUntilReadyAsync(TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        if (ensureReady is null) return;
        var delay = FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ensureReady(cancellationToken);
                _ready = true;
                if (attempt > 1) ServerLog.StoreReachable(logger, Description, attempt);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var reason = ex.Message;
                // One clear message per distinct failure; the retries themselves are debug noise.
                if (reason != _reason) ServerLog.StoreUnreachable(logger, Description, reason, MaxDelay.TotalSeconds);
                else ServerLog.StoreRetry(logger, Description, attempt, delay.TotalSeconds);
                _reason = reason;
            }
            await Task.Delay(delay, time, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
        }
    }
}
