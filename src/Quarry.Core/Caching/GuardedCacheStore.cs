using Microsoft.Extensions.Logging;
using Quarry.Diagnostics;

namespace Quarry.Caching;

/// <summary>
/// Keeps a shared layer from ever failing or slowing an answer: each call is cut at <see cref="AnswerCacheOptions.L2Timeout"/>,
/// consecutive failures open a circuit that skips the layer for <see cref="AnswerCacheOptions.L2BreakDuration"/>, then one
/// call probes it. A change of state is logged once, not per request.
/// </summary>
internal sealed class GuardedCacheStore(IAnswerCacheStore inner, AnswerCacheOptions options, TimeProvider time, ILogger logger)
{
    private readonly Lock _gate = new();
    private int _failures;
    private long _openUntil;
    private bool _open;
    private bool _probing;

    public string Name => inner.Name;

    public Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken) =>
        RunAsync(ct => inner.GetAsync(key, ct), cancellationToken);

    public Task SetAsync(string key, byte[] value, CancellationToken cancellationToken) =>
        RunAsync<object?>(async ct =>
        {
            await inner.SetAsync(key, value, options.L2Ttl, ct);
            return null;
        }, cancellationToken);

    private async Task<T?> RunAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        if (!TryEnter()) return default;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.L2Timeout);
        try
        {
            // WaitAsync: a client library that ignores the token still cannot hold the request.
            var result = await call(timeout.Token).WaitAsync(options.L2Timeout, time, cancellationToken);
            Succeeded();
            return result;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Failed(ex is TimeoutException or OperationCanceledException ? "timed out" : ex.GetType().Name + ": " + ex.Message);
            return default;
        }
    }

    private bool TryEnter()
    {
        lock (_gate)
        {
            if (!_open) return true;
            if (_probing || time.GetTimestamp() < _openUntil) return false;
            _probing = true;
            return true;
        }
    }

    private void Succeeded()
    {
        bool closed;
        lock (_gate)
        {
            closed = _open;
            _open = false;
            _probing = false;
            _failures = 0;
        }
        if (closed) CachingLog.L2Closed(logger, inner.Name);
    }

    private void Failed(string reason)
    {
        bool opened;
        lock (_gate)
        {
            _failures++;
            opened = !_open && _failures >= options.L2FailuresToBreak;
            if (_open || opened)
            {
                _open = true;
                _probing = false;
                _openUntil = time.GetTimestamp() + (long)(options.L2BreakDuration.TotalSeconds * time.TimestampFrequency);
            }
        }
        AiMetrics.CacheErrors.Add(1, new KeyValuePair<string, object?>(AiMetrics.Tags.Layer, "l2"));
        if (opened) CachingLog.L2Opened(logger, inner.Name, reason, options.L2BreakDuration.TotalSeconds);
    }
}
