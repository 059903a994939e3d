namespace Simian.Proxy;

/// <summary>The rest of a stream's toxic chain after the current toxic; a struct so the slow path allocates no links.</summary>
internal readonly struct ToxicPipe
{
    private readonly IToxic[] _toxics;
    private readonly int _index;
    private readonly IChunkSink _sink;

    public ToxicPipe(IToxic[] toxics, int index, IChunkSink sink, ToxicContext context)
    {
        _toxics = toxics;
        _index = index;
        _sink = sink;
        Context = context;
    }

    public ToxicContext Context { get; }

    public ValueTask WriteAsync(ToxicChunk chunk, CancellationToken cancellationToken)
    {
        if (_index < _toxics.Length)
        {
            var rest = new ToxicPipe(_toxics, _index + 1, _sink, Context);
            return _toxics[_index].PipeAsync(chunk, rest, cancellationToken);
        }

        return _sink.SendAsync(chunk.Data, cancellationToken);
    }
}
