namespace Simian.Proxy;

/// <summary>Waits until a TimeProvider timestamp, to well under a millisecond when the provider is the system clock.</summary>
internal sealed class PreciseDelay : IDisposable
{
    // Task.Delay on Linux routinely fires 1-3 ms late (more under load), which alone would turn a 100 ms latency
    // toxic into 102 ms. So it is only trusted to get within this margin; a dedicated thread, whose timed waits
    // wake within ~0.1 ms, releases the waiter for the rest.
    private static readonly TimeSpan CoarseMargin = TimeSpan.FromMilliseconds(10);

    // Below this the thread yields in a loop instead of sleeping, as a timed wait cannot be shorter than 1 ms.
    private const double SpinBelowMs = 1.5;

    private readonly TimeProvider _time;
    private readonly bool _precise;
    private readonly object _gate = new();
    private readonly PriorityQueue<TaskCompletionSource, long> _waiters = new();
    private readonly List<TaskCompletionSource> _ready = [];
    private Thread? _thread;
    private bool _disposed;

    public PreciseDelay(TimeProvider time)
    {
        _time = time;

        // Any other provider (a FakeTimeProvider in tests) fires its timers exactly when its clock says so; real
        // time has no meaning for it, so the dedicated thread must not be used.
        _precise = ReferenceEquals(time, TimeProvider.System);
    }

    public TimeProvider Time => _time;

    public async ValueTask UntilAsync(long dueTimestamp, CancellationToken cancellationToken)
    {
        while (true)
        {
            long remainingTicks = dueTimestamp - _time.GetTimestamp();
            if (remainingTicks <= 0)
            {
                return;
            }

            var remaining = TimeSpan.FromSeconds(remainingTicks / (double)_time.TimestampFrequency);
            if (!_precise)
            {
                // Timers may fire a little early, hence the loop.
                await Task.Delay(remaining, _time, cancellationToken).ConfigureAwait(false);
            }
            else if (remaining > CoarseMargin)
            {
                await Task.Delay(remaining - CoarseMargin, _time, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await FineWaitAsync(dueTimestamp).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            Monitor.PulseAll(_gate);
        }
    }

    private Task FineWaitAsync(long dueTimestamp)
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _waiters.Enqueue(waiter, dueTimestamp);
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "Simian.Proxy precise delay" };
                _thread.Start();
            }

            // The thread may be asleep until a later deadline.
            Monitor.Pulse(_gate);
        }

        return waiter.Task;
    }

    private void Run()
    {
        while (true)
        {
            bool spin = false;
            lock (_gate)
            {
                while (!spin && _ready.Count == 0)
                {
                    if (_disposed)
                    {
                        while (_waiters.TryDequeue(out TaskCompletionSource? waiter, out _))
                        {
                            waiter.TrySetCanceled();
                        }

                        return;
                    }

                    if (!_waiters.TryPeek(out _, out long due))
                    {
                        Monitor.Wait(_gate);
                        continue;
                    }

                    long now = _time.GetTimestamp();
                    double remainingMs = (due - now) * 1000.0 / _time.TimestampFrequency;
                    if (remainingMs <= 0)
                    {
                        while (_waiters.TryPeek(out TaskCompletionSource? waiter, out due) && due <= now)
                        {
                            _waiters.Dequeue();
                            _ready.Add(waiter);
                        }
                    }
                    else if (remainingMs >= SpinBelowMs)
                    {
                        Monitor.Wait(_gate, (int)(remainingMs - 0.5));
                    }
                    else
                    {
                        spin = true;
                    }
                }
            }

            if (spin)
            {
                Thread.Yield();
                continue;
            }

            // Completed outside the lock; continuations run on the thread pool, not on this thread.
            foreach (TaskCompletionSource waiter in _ready)
            {
                waiter.TrySetResult();
            }

            _ready.Clear();
        }
    }
}
