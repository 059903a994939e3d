namespace Simian.Proxy;

/// <summary>Closes connections with a TCP RST: open ones when added, new ones on accept, and any that still send.</summary>
internal sealed class ResetToxic : IToxic, IResetsConnections
{
    public static IToxic Create(ToxicAttributes attributes) => new ResetToxic();

    public ValueTask PipeAsync(ToxicChunk chunk, ToxicPipe next, CancellationToken cancellationToken)
    {
        // Only reached by a chunk that raced the reset of its connection; it must not get through either.
        next.Context.ResetConnection();
        return ValueTask.CompletedTask;
    }
}
