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
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
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
            var write = pipe.WriteAsync(chunk, CancellationToken.None).AsTask();
            while (!write.IsCompleted)
            {
                _time.Advance(TimeSpan.FromMilliseconds(1));
                await Task.Yield();
            }
            await write.WaitAsync(Patience);
        }

        Assert.Equal([200, 210, 220], _sink.Sent.Select(s => Since(start, s.At).TotalMilliseconds));
    }

    [Fact]
    public async Task Two_latency_toxics_add_up_the_second_counting_from_the_first_release()
    {
        var start = _time.GetTimestamp();
        var write = Pipe(new LatencyToxic(100, 0), new LatencyToxic(50, 0)).WriteAsync(Chunk(1), CancellationToken.None).AsTask();

        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.False(write.IsCompleted, "the second toxic's delay was skipped");
        while (!write.IsCompleted)
        {
            _time.Advance(TimeSpan.FromMilliseconds(1));
            await Task.Yield();
        }

        Assert.Equal(TimeSpan.FromMilliseconds(150), Since(start, Assert.Single(_sink.Sent).At));
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
}
