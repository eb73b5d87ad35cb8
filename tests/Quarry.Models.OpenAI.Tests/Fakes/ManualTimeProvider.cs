namespace Quarry.Testing;

/// <summary>
/// A clock and timers that move only when a test says so: retry delays, timeouts, breaker durations and idle
/// watchdogs fire on <see cref="Advance"/>, never on their own. <see cref="WaitForTimerAsync"/> lets a test wait until
/// the code under test has armed the timer it is about to move past, so nothing depends on real elapsed time.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private long _ticks;

    public ManualTimeProvider() : this(new DateTimeOffset(2025, 1, 6, 9, 0, 0, TimeSpan.Zero))
    {
    }

    public ManualTimeProvider(DateTimeOffset start) => _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        lock (_lock)
            _timers.Add(timer);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>How long until each armed timer fires, soonest first.</summary>
    public IReadOnlyList<TimeSpan> Armed
    {
        get
        {
            lock (_lock)
            {
                var now = _ticks;
                return [.. _timers.Where(t => t.DueTicks is not null).Select(t => TimeSpan.FromTicks(t.DueTicks!.Value - now)).Order()];
            }
        }
    }

    /// <summary>Moves the clock forward, firing each timer that falls due on the way, in order.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        long target;
        lock (_lock)
            target = _ticks + by.Ticks;
        while (true)
        {
            ManualTimer? due;
            lock (_lock)
            {
                due = _timers.Where(t => t.DueTicks <= target).MinBy(t => t.DueTicks);
                if (due is null)
                {
                    Interlocked.Exchange(ref _ticks, target);
                    return;
                }
                Interlocked.Exchange(ref _ticks, Math.Max(_ticks, due.DueTicks!.Value));
                due.Rearm(_ticks);
            }
            due.Fire();
        }
    }

    /// <summary>Waits (in real time, bounded) until a timer is armed to fire exactly <paramref name="dueIn"/> from now.</summary>
    public async Task WaitForTimerAsync(TimeSpan dueIn, TimeSpan? within = null)
    {
        var deadline = Environment.TickCount64 + (long)(within ?? TimeSpan.FromSeconds(20)).TotalMilliseconds;
        while (!Armed.Contains(dueIn))
        {
            if (Environment.TickCount64 > deadline)
                throw new TimeoutException($"No timer was armed for {dueIn}; armed: [{string.Join(", ", Armed)}].");
            await Task.Delay(2);
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private long _period = -1;

        /// <summary>When it fires next, or null when disarmed. Guarded by the owner's lock.</summary>
        public long? DueTicks { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                if (!owner._timers.Contains(this))
                    return false;
                DueTicks = dueTime == Timeout.InfiniteTimeSpan ? null : owner._ticks + dueTime.Ticks;
                _period = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? -1 : period.Ticks;
                return true;
            }
        }

        public void Rearm(long now) => DueTicks = _period > 0 ? now + _period : null;

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (owner._lock)
            {
                owner._timers.Remove(this);
                DueTicks = null;
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
