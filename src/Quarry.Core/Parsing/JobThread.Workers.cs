using System.Collections.Concurrent;

namespace Quarry.Parsing;

/// <summary>
/// The dedicated threads behind <see cref="JobThread"/>: one job at a time each, idle ones reused, retired after
/// <see cref="IdleLifetime"/> without work. A job's CPU is still its own: the meter's clock starts when the job
/// attaches to the thread and is read as a difference from there.
/// </summary>
internal static partial class JobThread
{
    private static readonly TimeSpan IdleLifetime = TimeSpan.FromSeconds(10);
    private static readonly ConcurrentStack<Worker> IdleWorkers = new();

    private static void Run(Action job, string name)
    {
        while (IdleWorkers.TryPop(out var idle))
        {
            if (idle.TryAssign(job)) return;
        }
        Worker.Start(job, name);
    }

    private sealed class Worker
    {
        private enum State { Busy, Idle, Retired }

        private readonly object _gate = new();
        private Action? _next;
        private State _state = State.Busy;

        public static void Start(Action first, string name)
        {
            var worker = new Worker { _next = first };
            // UnsafeStart: the thread outlives its first job, so it must not keep that job's execution context.
            new Thread(worker.Loop) { IsBackground = true, Name = name }.UnsafeStart();
        }

        public bool TryAssign(Action job)
        {
            lock (_gate)
            {
                if (_state != State.Idle) return false;
                _state = State.Busy;
                _next = job;
                Monitor.Pulse(_gate);
                return true;
            }
        }

        private void Loop()
        {
            while (true)
            {
                Action job;
                lock (_gate)
                {
                    job = _next!;
                    _next = null;
                }
                job();
                lock (_gate) _state = State.Idle;
                IdleWorkers.Push(this);
                lock (_gate)
                {
                    while (_state == State.Idle)
                    {
                        if (Monitor.Wait(_gate, IdleLifetime) || _state != State.Idle) continue;
                        // Retired workers refuse every job; the stack drops them as it comes across them.
                        _state = State.Retired;
                        return;
                    }
                }
            }
        }
    }
}
