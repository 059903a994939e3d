namespace Simian.Proxy;

/// <summary>What a toxic may use while acting on one stream of one connection: time, randomness, per-stream state.</summary>
internal sealed class ToxicContext
{
    private readonly PreciseDelay _delay;
    private readonly Action _resetConnection;
    private readonly List<KeyValuePair<IToxic, object>> _states = [];

    public ToxicContext(PreciseDelay delay, Random random, Action resetConnection)
    {
        _delay = delay;
        Random = random;
        _resetConnection = resetConnection;
    }

    public TimeProvider Time => _delay.Time;

    /// <summary>Owned by this stream alone (seeded from the server's Random), so it needs no lock.</summary>
    public Random Random { get; }

    public void ResetConnection() => _resetConnection();

    /// <summary>Waits until a timestamp of <see cref="Time"/>, precisely enough for a latency toxic.</summary>
    public ValueTask WaitUntilAsync(long dueTimestamp, CancellationToken cancellationToken) =>
        _delay.UntilAsync(dueTimestamp, cancellationToken);

    /// <summary>State one toxic keeps for this stream, such as a rate limiter's schedule; created on first use.</summary>
    public T GetState<T>(IToxic owner)
        where T : class, new()
    {
        // A stream rarely has more than a couple of toxics, so a list beats a dictionary here.
        foreach (var pair in _states)
        {
            if (ReferenceEquals(pair.Key, owner))
            {
                return (T)pair.Value;
            }
        }

        var state = new T();
        _states.Add(new KeyValuePair<IToxic, object>(owner, state));
        return state;
    }
}
