using System.Runtime.ExceptionServices;

namespace Quarry.Indexing.Vectors;

/// <summary>
/// Runs CPU-bound partitions on the calling thread and on helper tasks, and never blocks a thread waiting for a helper.
/// </summary>
/// <remarks>
/// <c>Parallel.For</c> blocks its caller until every partition has run, and partitions queued to the thread pool need
/// a free pool thread. When the pool is busy (concurrent searches, synchronous request loops), the caller (itself
/// usually a pool thread) waits for the pool to inject threads, about one per half second: a 1 ms scan took a second.
/// Here partitions are claimed from a shared counter; the caller claims until none are left, so it alone can finish
/// the work, and afterwards it awaits only partitions a helper has already claimed (running, not queued). A helper
/// that starts late finds nothing left and returns at once.
/// </remarks>
internal sealed class PartitionedWork<T>
{
    private readonly Func<int, T> _work;
    private readonly T[] _results;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _next = -1;
    private int _remaining;
    private ExceptionDispatchInfo? _error;

    private PartitionedWork(int partitions, Func<int, T> work)
    {
        _work = work;
        _results = new T[partitions];
        _remaining = partitions;
    }

    /// <summary>Runs <paramref name="work"/> for partitions 0..<paramref name="partitions"/>-1; the first exception (e.g.
    /// cancellation) skips the partitions not yet started and is rethrown.</summary>
    public static async Task<T[]> RunAsync(int partitions, int helpers, TaskScheduler scheduler, Func<int, T> work)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitions);
        var run = new PartitionedWork<T>(partitions, work);
        for (var i = 0; i < Math.Min(helpers, partitions - 1); i++)
        {
            _ = Task.Factory.StartNew(static state => ((PartitionedWork<T>)state!).Claim(), run,
                CancellationToken.None, TaskCreationOptions.DenyChildAttach, scheduler);
        }
        run.Claim();
        await run._done.Task.ConfigureAwait(false);
        run._error?.Throw();
        return run._results;
    }

    private void Claim()
    {
        int partition;
        while ((partition = Interlocked.Increment(ref _next)) < _results.Length)
        {
            try
            {
                if (Volatile.Read(ref _error) is null) _results[partition] = _work(partition);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _error, ExceptionDispatchInfo.Capture(e), null);
            }
            if (Interlocked.Decrement(ref _remaining) == 0) _done.TrySetResult();
        }
    }
}
