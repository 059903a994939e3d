namespace Simian.Proxy;

/// <summary>Limits its stream to bytesPerSecond, writing in slices so the rate is smooth rather than bursty.</summary>
internal sealed class BandwidthToxic : IToxic
{
    // Twenty slices a second keeps the pacing smooth without a timer wake-up per few bytes.
    private const int SlicesPerSecond = 20;
    private const double MaxBytesPerSecond = 100e9;

    public BandwidthToxic(double bytesPerSecond)
    {
        BytesPerSecond = bytesPerSecond;
    }

    public double BytesPerSecond { get; }

    public static IToxic Create(ToxicAttributes attributes) =>
        new BandwidthToxic(attributes.Required("bytesPerSecond", 1, MaxBytesPerSecond));

    public async ValueTask PipeAsync(ToxicChunk chunk, ToxicPipe next, CancellationToken cancellationToken)
    {
        ToxicContext context = next.Context;
        BandwidthSchedule schedule = context.GetState<BandwidthSchedule>(this);
        int sliceBytes = (int)Math.Clamp(BytesPerSecond / SlicesPerSecond, 1, int.MaxValue);
        ReadOnlyMemory<byte> rest = chunk.Data;
        while (!rest.IsEmpty)
        {
            ReadOnlyMemory<byte> slice = rest[..Math.Min(sliceBytes, rest.Length)];
            long now = context.Time.GetTimestamp();

            // An idle stream does not bank credit for a later burst.
            if (schedule.NextSendTimestamp < now)
            {
                schedule.NextSendTimestamp = now;
            }

            await context.WaitUntilAsync(schedule.NextSendTimestamp, cancellationToken).ConfigureAwait(false);
            await next.WriteAsync(chunk with { Data = slice }, cancellationToken).ConfigureAwait(false);
            schedule.NextSendTimestamp += (long)(slice.Length * (double)context.Time.TimestampFrequency / BytesPerSecond);
            rest = rest[slice.Length..];
        }
    }
}
