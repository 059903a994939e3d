namespace Simian.Core.Probes;

/// <summary>One steady-state probe outcome.</summary>
public sealed record ProbeResult(string Probe, bool Ok, TimeSpan Latency, string Detail, DateTimeOffset At);
