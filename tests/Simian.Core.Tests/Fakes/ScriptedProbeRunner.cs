using Simian.Core.Probes;
using Simian.Core.Profiles;

namespace Simian.Core.Tests.Fakes;

/// <summary>Answers probes from a script: whether call number N (1-based) passes, and a hook run on each call.</summary>
public sealed class ScriptedProbeRunner(Func<int, bool> ok) : IProbeRunner
{
    private int _calls;

    public static ScriptedProbeRunner AlwaysOk() => new(_ => true);

    public int Calls => Volatile.Read(ref _calls);

    public Action<int>? OnCall { get; set; }

    public Task<ProbeResult> RunAsync(ProbeSpec probe, CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref _calls);
        OnCall?.Invoke(n);
        var passed = ok(n);
        return Task.FromResult(new ProbeResult(probe.Name, passed, TimeSpan.FromMilliseconds(1),
            passed ? "scripted pass" : $"scripted failure #{n}", DateTimeOffset.UnixEpoch));
    }
}
