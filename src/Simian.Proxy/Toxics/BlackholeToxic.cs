namespace Simian.Proxy;

/// <summary>Reads and discards everything on its stream while the connection stays open.</summary>
internal sealed class BlackholeToxic : IToxic
{
    public static IToxic Create(ToxicAttributes attributes) => new BlackholeToxic();

    public ValueTask PipeAsync(ToxicChunk chunk, ToxicPipe next, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
