namespace Simian.Proxy;

/// <summary>The toxics of one stream of one proxy, read lock-free by every connection's copy loop.</summary>
internal sealed class DirectionToxics
{
    // Replaced wholesale, never mutated, so a reader sees either the old or the new set and never a torn one.
    private volatile IToxic[] _current = [];

    public IToxic[] Current => _current;

    public void Publish(IToxic[] toxics) => _current = toxics;
}
