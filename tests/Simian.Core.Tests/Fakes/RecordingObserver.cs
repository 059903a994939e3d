using System.Collections.Concurrent;
using Simian.Core.Probes;
using Simian.Core.Running;

namespace Simian.Core.Tests.Fakes;

public sealed class RecordingObserver : IRunObserver
{
    public ConcurrentQueue<string> Phases { get; } = new();

    public ConcurrentQueue<string> Warnings { get; } = new();

    public ConcurrentQueue<(string Phase, ProbeResult Result)> Probes { get; } = new();

    public void Phase(string text) => Phases.Enqueue(text);

    public void Probe(string phase, ProbeResult result) => Probes.Enqueue((phase, result));

    public void Warning(string text) => Warnings.Enqueue(text);
}
