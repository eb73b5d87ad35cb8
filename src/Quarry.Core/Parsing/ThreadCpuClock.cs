using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Quarry.Parsing;

/// <summary>
/// The CPU time one thread has used, readable from any other thread while it runs. On Linux it is the kernel's
/// per-thread CPU clock (<c>pthread_getcpuclockid</c> + <c>clock_gettime</c>), so time the thread spends waiting for
/// a core on a busy machine is not counted. Elsewhere (or if libc cannot be called) it falls back to the time elapsed
/// since the thread started, an upper bound of its CPU time: a budget then errs on the side of stopping early.
/// </summary>
internal abstract class ThreadCpuClock
{
    /// <summary>A clock for the calling thread; read it from anywhere until that thread ends.</summary>
    public static ThreadCpuClock ForCurrentThread()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                if (Native.pthread_getcpuclockid(Native.pthread_self(), out var clock) == 0 && Native.clock_gettime(clock, out _) == 0)
                    return new Kernel(clock);
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                // Not glibc (e.g. a libc without these exports): the elapsed-time bound below still holds.
            }
        }
        return new Elapsed();
    }

    /// <summary>True when the clock measures CPU time itself rather than elapsed time.</summary>
    public abstract bool IsCpuTime { get; }

    /// <summary>CPU time used since the clock was created (or null when the thread can no longer be read).</summary>
    public abstract TimeSpan? Read();

    private sealed class Kernel(int clock) : ThreadCpuClock
    {
        private readonly TimeSpan _start = Now(clock) ?? TimeSpan.Zero;

        public override bool IsCpuTime => true;

        public override TimeSpan? Read() => Now(clock) is { } now ? now - _start : null;

        private static TimeSpan? Now(int clock) =>
            Native.clock_gettime(clock, out var time) == 0
                ? TimeSpan.FromTicks(time.Seconds * TimeSpan.TicksPerSecond + time.Nanoseconds / 100)
                : null;
    }

    private sealed class Elapsed : ThreadCpuClock
    {
        private readonly long _start = Stopwatch.GetTimestamp();

        public override bool IsCpuTime => false;

        public override TimeSpan? Read() => Stopwatch.GetElapsedTime(_start);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    private static class Native
    {
        [DllImport("libc.so.6")]
        public static extern nuint pthread_self();

        [DllImport("libc.so.6")]
        public static extern int pthread_getcpuclockid(nuint thread, out int clock);

        [DllImport("libc.so.6")]
        public static extern int clock_gettime(int clock, out TimeSpec time);
    }
}
