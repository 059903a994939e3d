namespace Simian.Proxy;

/// <summary>Where a chunk goes after the last toxic: the destination socket, or a recording fake in tests.</summary>
internal interface IChunkSink
{
    ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);
}
