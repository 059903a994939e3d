namespace Simian.Sandbox;

/// <summary>
/// Injected failure rates, each between 0 and 1. One seeded roll per request decides: below ThrottleRate the
/// service's throttling error, below ThrottleRate + ErrorRate a 500 InternalError, otherwise the real answer.
/// </summary>
public readonly record struct SandboxFaults(double ThrottleRate, double ErrorRate)
{
    /// <summary>Null when both rates are within 0..1, otherwise what is wrong.</summary>
    public string? Problem() =>
        ThrottleRate is < 0 or > 1 || double.IsNaN(ThrottleRate) ? "throttleRate must be between 0 and 1"
        : ErrorRate is < 0 or > 1 || double.IsNaN(ErrorRate) ? "errorRate must be between 0 and 1"
        : null;
}
