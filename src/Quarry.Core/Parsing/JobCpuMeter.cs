using System.ComponentModel;
using System.Diagnostics;

namespace Quarry.Parsing;

/// <summary>
/// The CPU one document's parse and chunk may use: its dedicated thread's CPU clock plus the CPU of the converters it
/// runs (pdftotext, tesseract), sampled on a timer. Past the budget, <see cref="Exceeded"/> is cancelled, which every
/// parser already watches (through its token and <see cref="ExtractionBudget"/>), and running converters are killed by
/// <see cref="ToolProcess"/>. CPU rather than elapsed time: a job that waits for a core on a busy machine is not
/// penalised, one that spins is stopped however idle the machine is.
/// </summary>
internal sealed class JobCpuMeter : IDisposable
{
    private static readonly AsyncLocal<JobCpuMeter?> Ambient = new();

    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _exceeded = new();
    private readonly Dictionary<Process, TimeSpan> _runningTools = [];
    private readonly ITimer _timer;
    private ThreadCpuClock? _thread;
    private TimeSpan _threadCpu;
    private TimeSpan _finishedTools;

    public JobCpuMeter(TimeSpan budget, TimeProvider time)
    {
        Budget = budget;
        var interval = TimeSpan.FromMilliseconds(Math.Clamp(budget.TotalMilliseconds / 20, 10, 100));
        _timer = time.CreateTimer(_ => Sample(), null, interval, interval);
    }

    /// <summary>The meter of the document being parsed on this flow, or null outside ingestion.</summary>
    public static JobCpuMeter? Current => Ambient.Value;

    public TimeSpan Budget { get; }

    /// <summary>Cancelled once the CPU used passes <see cref="Budget"/>.</summary>
    public CancellationToken Exceeded => _exceeded.Token;

    public bool IsExceeded => _exceeded.IsCancellationRequested;

    /// <summary>CPU used so far (as of the last sample).</summary>
    public TimeSpan Used
    {
        get
        {
            lock (_gate) return _threadCpu + _finishedTools + _runningTools.Values.Aggregate(TimeSpan.Zero, (a, b) => a + b);
        }
    }

    /// <summary>Makes this meter current on the calling flow until the scope is disposed.</summary>
    public IDisposable Enter()
    {
        var previous = Ambient.Value;
        Ambient.Value = this;
        return new Scope(() => Ambient.Value = previous);
    }

    /// <summary>Counts the calling thread's CPU from now until <see cref="DetachThread"/>.</summary>
    public void AttachCurrentThread()
    {
        var clock = ThreadCpuClock.ForCurrentThread();
        lock (_gate) _thread = clock;
    }

    /// <summary>Takes a last reading of the attached thread and stops reading it (its clock dies with the thread).</summary>
    public void DetachThread()
    {
        Sample();
        lock (_gate) _thread = null;
    }

    /// <summary>Counts a converter's CPU while it runs; dispose when it has exited.</summary>
    public IDisposable TrackTool(Process process)
    {
        lock (_gate) _runningTools[process] = TimeSpan.Zero;
        return new Scope(() =>
        {
            var last = ReadTool(process);
            lock (_gate)
            {
                if (!_runningTools.Remove(process, out var sampled)) return;
                _finishedTools += last is { } final && final > sampled ? final : sampled;
            }
            Check();
        });
    }

    /// <summary>Reads the clocks now and cancels <see cref="Exceeded"/> when over budget.</summary>
    public void Sample()
    {
        lock (_gate)
        {
            if (_thread?.Read() is { } cpu) _threadCpu = cpu;
            foreach (var process in _runningTools.Keys.ToList())
            {
                if (ReadTool(process) is { } used) _runningTools[process] = used;
            }
        }
        Check();
    }

    private void Check()
    {
        if (Used > Budget && !_exceeded.IsCancellationRequested)
        {
            try
            {
                _exceeded.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The document finished between the reading and the cancel.
            }
        }
    }

    /// <summary>A converter's CPU; null once it has exited and been reaped (its last sample then stands).</summary>
    private static TimeSpan? ReadTool(Process process)
    {
        try
        {
            return process.TotalProcessorTime;
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        _exceeded.Dispose();
    }

    private sealed class Scope(Action exit) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) exit();
        }
    }
}
