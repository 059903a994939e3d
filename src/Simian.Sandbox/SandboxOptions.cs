namespace Simian.Sandbox;

/// <summary>How to start a sandbox: what it serves, on which port, and how it misbehaves.</summary>
public sealed class SandboxOptions
{
    /// <summary>The loopback port; 0 picks a free one.</summary>
    public int Port { get; init; }

    public Fleet Fleet { get; init; } = new();

    /// <summary>Drives instance state transitions and timestamps.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Seeds the Random behind injected faults, so a run's faults repeat.</summary>
    public int Seed { get; init; }

    public double ThrottleRate { get; init; }

    public double ErrorRate { get; init; }

    /// <summary>
    /// Unknown access keys are refused, as AWS refuses them (the default). False (the CLI's <c>--any-key</c>) takes any
    /// key as a default identity, a documented convenience for quick experiments.
    /// </summary>
    public bool RequireKnownKeys { get; init; } = true;

    /// <summary>How long stopping/pending/shutting-down last before settling (measured on <see cref="TimeProvider"/>).</summary>
    public TimeSpan TransitionDelay { get; init; } = TimeSpan.Zero;

    /// <summary>When set, one line per request is written here (for the CLI: stderr).</summary>
    public TextWriter? Log { get; init; }

    /// <summary>Requests with bodies larger than this are refused with 413.</summary>
    public long MaxBodyBytes { get; init; } = 256L * 1024 * 1024;
}
