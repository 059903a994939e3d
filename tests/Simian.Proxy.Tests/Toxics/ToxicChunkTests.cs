using Microsoft.Extensions.Time.Testing;

namespace Simian.Proxy.Tests;

/// <summary>
/// The latency toxic through its chunk interface (<see cref="IToxic"/>, <see cref="ToxicPipe"/>) on a fake clock: exact
/// release times, no sockets, no wall-clock bounds — so it cannot flake on a loaded machine. The socket tests beside it
/// check the same toxic end to end with generous bounds.
/// </summary>
public sealed class ToxicChunkTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TimerCountingClock _time = new(new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero)));
    private readonly PreciseDelay _delay;
    private readonly RecordingSink _sink;

    public ToxicChunkTests()
    {
        _delay = new PreciseDelay(_time);
        _sink = new RecordingSink(_time);
    }

    public void Dispose() => _delay.Dispose();

    private ToxicPipe Pipe(params IToxic[] toxics) => new(toxics, 0, _sink, new ToxicContext(_delay, new Random(7), () => { }));

    private ToxicChunk Chunk(byte b) => new(new[] { b }, _time.GetTimestamp());

    private TimeSpan Since(long start, long end) => TimeSpan.FromSeconds((end - start) / (double)_time.TimestampFrequency);

    [Fact]
    public async Task A_chunk_is_released_exactly_its_delay_after_it_was_read()
    {
        var start = _time.GetTimestamp();
        var write = Pipe(new LatencyToxic(100, 0)).WriteAsync(Chunk(1), CancellationToken.None).AsTask();

        _time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(write.IsCompleted, "released before its delay");
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await write.WaitAsync(Patience);

        Assert.Equal(TimeSpan.FromMilliseconds(100), Since(start, Assert.Single(_sink.Sent).At));
    }

    [Fact]
    public async Task Back_to_back_chunks_cost_one_delay_not_one_each()
    {
        var pipe = Pipe(new LatencyToxic(200, 0));
        var start = _time.GetTimestamp();
        // Three chunks read 10 ms apart, piped one after another as the stream pump does.
        var chunks = new List<ToxicChunk>();
        for (byte i = 0; i < 3; i++)
        {
            chunks.Add(Chunk(i));
            _time.Advance(TimeSpan.FromMilliseconds(10));
        }
        foreach (var chunk in chunks)
        {
            await StepUntilDoneAsync(pipe.WriteAsync(chunk, CancellationToken.None).AsTask());
        }

        Assert.Equal([200, 210, 220], _sink.Sent.Select(s => Since(start, s.At).TotalMilliseconds));
    }

    [Fact]
    public async Task Two_latency_toxics_add_up_the_second_counting_from_the_first_release()
    {
        var start = _time.GetTimestamp();
        var write = Pipe(new LatencyToxic(100, 0), new LatencyToxic(50, 0)).WriteAsync(Chunk(1), CancellationToken.None).AsTask();

        _time.Advance(TimeSpan.FromMilliseconds(100));
        await _time.SettledAsync(write, Patience);
        Assert.False(write.IsCompleted, "the second toxic's delay was skipped");
        await StepUntilDoneAsync(write);

        Assert.Equal(TimeSpan.FromMilliseconds(150), Since(start, Assert.Single(_sink.Sent).At));
    }

    /// <summary>
    /// Moves the clock a millisecond at a time, but only once the code under test has settled: it has either finished
    /// or is waiting on a timer. Advancing while a continuation is still on its way to the thread pool would let the
    /// clock run past the instant that continuation was meant to act at.
    /// </summary>
    private async Task StepUntilDoneAsync(Task write)
    {
        while (true)
        {
            await _time.SettledAsync(write, Patience);
            if (write.IsCompleted)
            {
                await write;
                return;
            }

            _time.Advance(TimeSpan.FromMilliseconds(1));
        }
    }

    private sealed class RecordingSink(TimeProvider time) : IChunkSink
    {
        public List<(byte[] Data, long At)> Sent { get; } = [];

        public ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            lock (Sent) Sent.Add((data.ToArray(), time.GetTimestamp()));
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A fake clock that knows how many of its timers are still waiting to fire.</summary>
    private sealed class TimerCountingClock(FakeTimeProvider fake) : TimeProvider
    {
        private int _waiting;

        public override long TimestampFrequency => fake.TimestampFrequency;

        public override long GetTimestamp() => fake.GetTimestamp();

        public override DateTimeOffset GetUtcNow() => fake.GetUtcNow();

        public override TimeZoneInfo LocalTimeZone => fake.LocalTimeZone;

        public void Advance(TimeSpan by) => fake.Advance(by);

        /// <summary>Waits until <paramref name="work"/> has finished or at least one timer is waiting.</summary>
        public async Task SettledAsync(Task work, TimeSpan patience)
        {
            var deadline = DateTime.UtcNow + patience;
            while (!work.IsCompleted && Volatile.Read(ref _waiting) == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, $"the code under test neither finished nor waited on a timer within {patience}");
                await Task.Yield();
            }
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new CountedTimer(this);
            timer.Inner = fake.CreateTimer(_ => timer.Fire(callback, state), state, dueTime, period);
            return timer;
        }

        private sealed class CountedTimer : ITimer
        {
            private readonly TimerCountingClock _clock;
            private int _done;

            public CountedTimer(TimerCountingClock clock)
            {
                _clock = clock;
                Interlocked.Increment(ref clock._waiting);
            }

            public ITimer Inner { get; set; } = null!;

            public void Fire(TimerCallback callback, object? state)
            {
                Settle();
                callback(state);
            }

            public bool Change(TimeSpan dueTime, TimeSpan period) => Inner.Change(dueTime, period);

            public void Dispose()
            {
                Settle();
                Inner.Dispose();
            }

            public ValueTask DisposeAsync()
            {
                Settle();
                return Inner.DisposeAsync();
            }

            // Only one-shot timers are used here (Task.Delay), so a timer stops waiting once it fires or is disposed.
            private void Settle()
            {
                if (Interlocked.Exchange(ref _done, 1) == 0)
                {
                    Interlocked.Decrement(ref _clock._waiting);
                }
            }
        }
    }
}
