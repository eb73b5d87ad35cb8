using System.Collections.Concurrent;

namespace Quarry.Server.Jobs;

/// <summary>
/// Throughput of this process's workers (an exponentially weighted average of seconds per job and per byte) and
/// when each running job started, for the ETA shown with job status. Unknown until the first job finishes.
/// </summary>
internal sealed class JobEstimates(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _started = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private double? _secondsPerJob;
    private double? _secondsPerByte;

    public void Started(string jobId) => _started[jobId] = time.GetUtcNow();

    public void Finished(string jobId, long bytes)
    {
        if (!_started.TryRemove(jobId, out var started)) return;
        var seconds = (time.GetUtcNow() - started).TotalSeconds;
        lock (_gate)
        {
            _secondsPerJob = _secondsPerJob is { } j ? 0.8 * j + 0.2 * seconds : seconds;
            if (bytes > 0)
                _secondsPerByte = _secondsPerByte is { } b ? 0.8 * b + 0.2 * (seconds / bytes) : seconds / bytes;
        }
    }

    public void Forget(string jobId) => _started.TryRemove(jobId, out _);

    /// <summary>Seconds left for a running job of <paramref name="bytes"/>, or for a queued one with
    /// <paramref name="ahead"/> jobs before it shared by <paramref name="workers"/> workers; null when unknown.</summary>
    public double? Eta(string jobId, bool running, long bytes, int ahead, int workers)
    {
        double? perJob, perByte;
        lock (_gate)
        {
            (perJob, perByte) = (_secondsPerJob, _secondsPerByte);
        }
        if (perJob is null) return null;
        var own = perByte is { } b && bytes > 0 ? Math.Max(b * bytes, 0.01) : perJob.Value;
        if (running)
        {
            var elapsed = _started.TryGetValue(jobId, out var started) ? (time.GetUtcNow() - started).TotalSeconds : 0;
            return Math.Round(Math.Max(0, own - elapsed), 2);
        }
        return Math.Round(own + ahead * perJob.Value / Math.Max(1, workers), 2);
    }
}
