namespace Simian.Proxy;

/// <summary>Delays every chunk by delayMs ± jitterMs from the moment it was read, pipelined rather than cumulative.</summary>
internal sealed class LatencyToxic : IToxic
{
    private const double MaxMs = 3_600_000;

    public LatencyToxic(double delayMs, double jitterMs)
    {
        DelayMs = delayMs;
        JitterMs = jitterMs;
    }

    public double DelayMs { get; }

    /// <summary>Uniform in [-jitterMs, +jitterMs]; a negative total is clamped to no delay.</summary>
    public double JitterMs { get; }

    public static IToxic Create(ToxicAttributes attributes) => new LatencyToxic(
        attributes.Required("delayMs", 0, MaxMs),
        attributes.Optional("jitterMs", 0, 0, MaxMs));

    public async ValueTask PipeAsync(ToxicChunk chunk, ToxicPipe next, CancellationToken cancellationToken)
    {
        ToxicContext context = next.Context;
        double delayMs = DelayMs;
        if (JitterMs > 0)
        {
            delayMs += ((context.Random.NextDouble() * 2) - 1) * JitterMs;
        }

        // Counting from the read time, not from when the previous chunk left, is what keeps N back-to-back
        // chunks at one delay in total instead of N delays.
        long due = chunk.Timestamp + (long)(Math.Max(0, delayMs) * context.Time.TimestampFrequency / 1000.0);
        await context.WaitUntilAsync(due, cancellationToken).ConfigureAwait(false);

        // Later stages (a second latency toxic, a rate limit) count from when this one released the chunk.
        await next.WriteAsync(chunk with { Timestamp = due }, cancellationToken).ConfigureAwait(false);
    }
}
