namespace Quarry.Parsing;

/// <summary>
/// Runs one document's parse and chunk on a thread that runs nothing else meanwhile, so its CPU can be read from the
/// thread's clock (<see cref="JobCpuMeter"/>): on the shared thread pool, one thread's CPU mixes every job's.
/// Continuations that return to the captured context run on this thread; work a parser moves elsewhere with
/// <c>ConfigureAwait(false)</c> after a truly asynchronous wait (a converter's output) runs on the pool, and the
/// converter's own CPU is counted through its process instead. The threads are kept for a while between jobs
/// (JobThread.Workers.cs): starting one per document cost several times the parse of a short one.
/// </summary>
internal static partial class JobThread
{
    public static Task<T> RunAsync<T>(Func<Task<T>> work, JobCpuMeter meter, string name) =>
        // Already on a job thread (a worker's loop, RunLoopAsync): that thread runs this flow alone, so the job stays on
        // it and spares two thread hand-offs, which on a busy machine cost more than a short document's parse.
        SynchronizationContext.Current is PumpContext ? RunHereAsync(work, meter) : Start(work, meter, name);

    /// <summary>Runs a worker's whole loop on one dedicated thread; the jobs it starts with <see cref="RunAsync{T}"/>
    /// run on that thread too, each metered from its start.</summary>
    public static Task RunLoopAsync(Func<Task> loop, string name) =>
        Start(async () =>
        {
            await loop();
            return true;
        }, meter: null, name);

    private static async Task<T> RunHereAsync<T>(Func<Task<T>> work, JobCpuMeter meter)
    {
        meter.AttachCurrentThread();
        try
        {
            // Continuations come back to this thread through its context.
            return await work();
        }
        finally
        {
            meter.DetachThread();
        }
    }

    private static Task<T> Start<T>(Func<Task<T>> work, JobCpuMeter? meter, string name)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        // The caller's budget, meter and trace span stay current on the worker, as Thread.Start would flow them.
        var context = ExecutionContext.Capture();
        Action job = context is null
            ? () => Pump(work, meter, result)
            : () => ExecutionContext.Run(context, _ => Pump(work, meter, result), null);
        Run(job, name);
        return result.Task;
    }

    private static void Pump<T>(Func<Task<T>> work, JobCpuMeter? meter, TaskCompletionSource<T> result)
    {
        using var context = new PumpContext();
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(context);
        meter?.AttachCurrentThread();
        try
        {
            Task<T> task;
            try
            {
                task = work();
            }
            catch (Exception ex)
            {
                task = Task.FromException<T>(ex);
            }
            task.ContinueWith(_ => context.Complete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            context.RunUntilComplete();
            meter?.DetachThread();
            result.SetFromTask(task);
        }
        catch (Exception ex)
        {
            result.TrySetException(ex);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    /// <summary>The job thread's queue of continuations. A lock and <see cref="Monitor.Wait(object)"/> rather than a
    /// BlockingCollection, whose semaphore spins before it sleeps: an ingestion worker waits here at every asynchronous
    /// step (a full queue to the writer, a database read), and on two cores that spinning took the writer's CPU.</summary>
    private sealed class PumpContext : SynchronizationContext, IDisposable
    {
        private readonly object _gate = new();
        private readonly Queue<(SendOrPostCallback Callback, object? State)> _queue = new();
        private bool _completed;

        public override void Post(SendOrPostCallback d, object? state)
        {
            lock (_gate)
            {
                if (!_completed)
                {
                    _queue.Enqueue((d, state));
                    Monitor.Pulse(_gate);
                    return;
                }
            }
            // The document is done; a late continuation (a timer's, a converter's) runs on the pool instead.
            ThreadPool.QueueUserWorkItem(s => d(s), state);
        }

        public override void Send(SendOrPostCallback d, object? state) =>
            throw new NotSupportedException("Synchronous calls into the document's thread are not supported.");

        public override SynchronizationContext CreateCopy() => this;

        /// <summary>Runs posted continuations until <see cref="Complete"/> has been called and none is left.</summary>
        public void RunUntilComplete()
        {
            while (true)
            {
                (SendOrPostCallback Callback, object? State) next;
                lock (_gate)
                {
                    while (_queue.Count == 0)
                    {
                        if (_completed) return;
                        Monitor.Wait(_gate);
                    }
                    next = _queue.Dequeue();
                }
                next.Callback(next.State);
            }
        }

        public void Complete()
        {
            lock (_gate)
            {
                _completed = true;
                Monitor.Pulse(_gate);
            }
        }

        public void Dispose() => Complete();
    }
}
