namespace Simian.Testing;

/// <summary>
/// A clock for tests that moves itself, from timer to timer, only while the code under test is waiting.
/// </summary>
/// <remarks>
/// Whenever the code under test has gone quiet and the clock has timers armed, a driver thread moves the time towards
/// the earliest one (at most 10 ms at a time) and fires what is due on the thread pool, as a real timer would. So a
/// 10 s hold ends after 10 s of simulated time in about a second of real time, durations measured on this clock do
/// not depend on how loaded the machine is, and the code under test runs exactly as it would on the real clock.
/// <para>
/// Quiet means, for a few samples a millisecond or more apart: no thread-pool work queued or completed and no timer
/// armed, changed or fired.
/// </para>
/// <para>Dispose it after the run; a disposed clock no longer moves.</para>
/// </remarks>
public sealed class SimulatedClock : TimeProvider, IDisposable
{
    // Quiet = this many samples in a row, each a millisecond or more apart.
    private const int QuietSamples = 3;

    // The most the clock moves in one go, by default. Quiet is judged from outside, so it can be wrong: a thread
    // preempted on a loaded machine in the middle of its work looks idle. Moving in small steps bounds what that costs
    // to a few milliseconds of simulated time seen late (as if the work had been slow), never a whole hold skipped
    // over before a loop that was about to start had armed its first timer.
    private static readonly TimeSpan DefaultMaxStep = TimeSpan.FromMilliseconds(10);

    private readonly long _maxStepTicks;

    private readonly object _gate = new();
    private readonly List<Timer> _timers = [];
    private readonly Thread _driver;
    private long _nowTicks;
    private long _version;
    private volatile bool _disposed;

    /// <param name="start">The simulated time it starts at.</param>
    /// <param name="maxStep">
    /// The most it moves in one go (10 ms unless given): larger for code that waits minutes on one timer with nothing
    /// racing it.
    /// </param>
    public SimulatedClock(DateTimeOffset? start = null, TimeSpan? maxStep = null)
    {
        _maxStepTicks = (maxStep ?? DefaultMaxStep).Ticks;
        Start = start ?? new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
        _nowTicks = Start.UtcTicks;
        _driver = new Thread(Drive) { IsBackground = true, Name = "SimulatedClock driver" };
        _driver.Start();
    }

    public DateTimeOffset Start { get; }

    /// <summary>Simulated time since the clock was made.</summary>
    public TimeSpan Elapsed => GetUtcNow() - Start;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long GetTimestamp() => Interlocked.Read(ref _nowTicks);

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _nowTicks), TimeSpan.Zero);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Timer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>How many times the clock has moved.</summary>
    public int Moves { get; private set; }

    public void Dispose()
    {
        _disposed = true;
        _driver.Join();
    }

    private void Drive()
    {
        long seenCompleted = -1, seenVersion = -1;
        int quiet = 0;
        while (!_disposed)
        {
            Thread.Sleep(1);
            long completed = ThreadPool.CompletedWorkItemCount;
            long version = Interlocked.Read(ref _version);
            if (ThreadPool.PendingWorkItemCount != 0 || completed != seenCompleted || version != seenVersion)
            {
                (seenCompleted, seenVersion, quiet) = (completed, version, 0);
                continue;
            }

            if (++quiet < QuietSamples) continue;
            quiet = 0;
            Step();
        }
    }

    /// <summary>Moves to the earliest armed timer, or by the largest step towards it, firing what is due.</summary>
    private void Step()
    {
        List<Timer> due;
        lock (_gate)
        {
            var armed = _timers.Where(t => t.DueTicks is not null).ToList();
            if (armed.Count == 0) return;
            Moves++;
            long next = Math.Clamp(armed.Min(t => t.DueTicks!.Value), _nowTicks, _nowTicks + _maxStepTicks);
            Interlocked.Exchange(ref _nowTicks, next);
            due = armed.Where(t => t.DueTicks <= next).ToList();
            foreach (var t in due) t.Rearm(next);
            _version++;
        }

        foreach (var t in due) ThreadPool.UnsafeQueueUserWorkItem(static t => t.Fire(), t, preferLocal: false);
    }

    private sealed class Timer(SimulatedClock clock, TimerCallback callback, object? state) : ITimer
    {
        private long _periodTicks;

        /// <summary>When it fires next, in clock ticks; null while disarmed.</summary>
        public long? DueTicks { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._gate)
            {
                _periodTicks = period == Timeout.InfiniteTimeSpan || period <= TimeSpan.Zero ? 0 : period.Ticks;
                DueTicks = dueTime == Timeout.InfiniteTimeSpan ? null : clock._nowTicks + Math.Max(0, dueTime.Ticks);
                if (!clock._timers.Contains(this)) clock._timers.Add(this);
                clock._version++;
            }

            return true;
        }

        /// <summary>Called under the clock's lock when the clock reaches this timer.</summary>
        public void Rearm(long now) => DueTicks = _periodTicks > 0 ? now + _periodTicks : null;

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (clock._gate)
            {
                DueTicks = null;
                clock._timers.Remove(this);
                clock._version++;
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
