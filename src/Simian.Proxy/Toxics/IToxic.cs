namespace Simian.Proxy;

/// <summary>One fault acting on the chunks of one stream, in the spirit of Toxiproxy's one-method toxic.</summary>
internal interface IToxic
{
    /// <summary>Passes the chunk on through <paramref name="next"/>: later, in pieces, or not at all.</summary>
    ValueTask PipeAsync(ToxicChunk chunk, ToxicPipe next, CancellationToken cancellationToken);
}
