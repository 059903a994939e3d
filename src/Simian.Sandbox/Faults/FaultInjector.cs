namespace Simian.Sandbox.Faults;

/// <summary>Decides, with a seeded Random, whether a request gets an injected throttle or internal error.</summary>
internal sealed class FaultInjector
{
    private readonly object _gate = new();
    private readonly Random _random;
    private SandboxFaults _faults;

    public FaultInjector(Random random, SandboxFaults faults)
    {
        _random = random;
        Set(faults);
    }

    public SandboxFaults Current
    {
        get
        {
            lock (_gate)
            {
                return _faults;
            }
        }
    }

    public void Set(SandboxFaults faults)
    {
        if (faults.Problem() is { } problem)
        {
            throw new ArgumentOutOfRangeException(nameof(faults), problem);
        }

        lock (_gate)
        {
            _faults = faults;
        }
    }

    public CommonError? Roll()
    {
        lock (_gate)
        {
            if (_faults.ThrottleRate <= 0 && _faults.ErrorRate <= 0)
            {
                return null;
            }

            var roll = _random.NextDouble();
            return roll < _faults.ThrottleRate ? CommonError.Throttled
                : roll < _faults.ThrottleRate + _faults.ErrorRate ? CommonError.Internal
                : null;
        }
    }
}
