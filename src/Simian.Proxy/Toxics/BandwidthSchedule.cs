namespace Simian.Proxy;

/// <summary>Per stream state of a bandwidth toxic: the earliest time its next slice may leave.</summary>
internal sealed class BandwidthSchedule
{
    public long NextSendTimestamp { get; set; }
}
