namespace Simian.Aws.Resilience;

/// <summary>
/// How patiently one AWS call is retried: jittered exponential backoff from <see cref="FirstDelay"/> up to
/// <see cref="MaxDelay"/>, each attempt bounded by <see cref="AttemptTimeout"/> and all of them by <see cref="TotalTimeout"/>.
/// </summary>
/// <param name="MaxAttempts">Attempts in all, the first included.</param>
/// <param name="RetryUnreachable">Whether "connection refused" and "host not found" are retried (they rarely heal within seconds).</param>
public sealed record AwsRetryPolicy(
    int MaxAttempts,
    TimeSpan FirstDelay,
    TimeSpan MaxDelay,
    TimeSpan AttemptTimeout,
    TimeSpan TotalTimeout,
    bool RetryUnreachable)
{
    /// <summary>Resolving, capturing, injecting: fail within about a minute, and fast when nothing listens.</summary>
    public static AwsRetryPolicy Inject { get; } = new(
        MaxAttempts: 6,
        FirstDelay: TimeSpan.FromMilliseconds(200),
        MaxDelay: TimeSpan.FromSeconds(5),
        AttemptTimeout: TimeSpan.FromSeconds(20),
        TotalTimeout: TimeSpan.FromSeconds(60),
        RetryUnreachable: false);

    /// <summary>Undoing: giving up early is what leaves damage, so more attempts, longer waits, and unreachable endpoints retried too.</summary>
    public static AwsRetryPolicy Undo { get; } = new(
        MaxAttempts: 10,
        FirstDelay: TimeSpan.FromMilliseconds(500),
        MaxDelay: TimeSpan.FromSeconds(15),
        AttemptTimeout: TimeSpan.FromSeconds(30),
        TotalTimeout: TimeSpan.FromMinutes(3),
        RetryUnreachable: true);
}
