using Simian.Core.Journal;
using Simian.Core.Probes;
using Simian.Core.Profiles;

namespace Simian.Core.Running;

/// <summary>
/// Probes the steady state every interval in the background. A probe failing <c>tolerance</c> times in a row
/// is a deviation.
/// </summary>
internal sealed class SteadyStateMonitor(SteadyStateSpec spec, IProbeRunner runner, JournalWriter? journal, IRunObserver observer, TimeProvider time)
    : IAsyncDisposable
{
    private readonly Dictionary<string, int> _consecutive = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Checks, int Failures, string? Last)> _stats = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<string> _deviation = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _broken = new();
    private Task? _loop;

    /// <summary>Cancelled if the monitor itself fails (not a failing probe: a bug or a broken environment).</summary>
    public CancellationToken Broken => _broken.Token;

    /// <summary>Why the monitor stopped watching, or null.</summary>
    public string? BrokenReason { get; private set; }

    public Task<string> Deviation => _deviation.Task;

    public bool Deviated => _deviation.Task.IsCompleted;

    public string? DeviationDetail => Deviated ? _deviation.Task.Result : null;

    public void Start(string phase)
    {
        if (spec.Probes.Count == 0) return;
        _loop = Task.Run(() => LoopAsync(phase));
    }

    /// <summary>Runs every probe once; returns whether all passed.</summary>
    public async Task<bool> RoundAsync(string phase, CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(spec.Probes.Select(p => RunOneAsync(p, cancellationToken))).ConfigureAwait(false);
        var allOk = true;
        foreach (var r in results)
        {
            Record(phase, r);
            allOk &= r.Ok;
        }
        return allOk;
    }

    /// <summary>A probe that throws has failed, like one that answers wrong: it counts towards a deviation.</summary>
    private async Task<ProbeResult> RunOneAsync(ProbeSpec probe, CancellationToken cancellationToken)
    {
        try
        {
            return await runner.RunAsync(probe, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new ProbeResult(probe.Name, false, TimeSpan.Zero, $"probe error: {Redaction.Text(e.Message)}", time.GetUtcNow());
        }
    }

    public IReadOnlyList<ProbeStats> Stats()
    {
        lock (_stats)
        {
            return spec.Probes.Select(p => _stats.TryGetValue(p.Name, out var s)
                ? new ProbeStats(p.Name, s.Checks, s.Failures, s.Last)
                : new ProbeStats(p.Name, 0, 0, null)).ToList();
        }
    }

    private void Record(string phase, ProbeResult r)
    {
        // A journal that cannot take a probe sample is seen by the runner (JournalWriter.Broken); watching goes on.
        TryJournal(() => journal?.Probe(phase, r.Probe, r.Ok, r.Latency.TotalMilliseconds, r.Detail));
        observer.Probe(phase, r);
        lock (_stats)
        {
            var s = _stats.GetValueOrDefault(r.Probe);
            _stats[r.Probe] = (s.Checks + 1, s.Failures + (r.Ok ? 0 : 1), r.Ok ? s.Last : r.Detail);
            if (phase != "during") return;
            var c = r.Ok ? 0 : _consecutive.GetValueOrDefault(r.Probe) + 1;
            _consecutive[r.Probe] = c;
            if (c >= spec.Tolerance && _deviation.TrySetResult($"probe '{r.Probe}' failed {c} times in a row: {r.Detail}"))
            {
                TryJournal(() => journal?.Deviation(r.Probe, _deviation.Task.Result));
                // Said once: without abortOnDeviation the faults stay in for the whole method, and a person watching should know why.
                if (!spec.AbortOnDeviation)
                {
                    observer.Warning($"the hypothesis deviated ({_deviation.Task.Result}); steadyState.abortOnDeviation is false, so the faults are held to the end of the method");
                }
            }
        }
    }

    private async Task LoopAsync(string phase)
    {
        using var timer = new PeriodicTimer(spec.Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                await RoundAsync(phase, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            BrokenReason = $"the steady-state monitor failed: {e.GetType().Name}: {Redaction.Text(e.Message)}";
            await _broken.CancelAsync().ConfigureAwait(false);
        }
    }

    private static void TryJournal(Action write)
    {
        try
        {
            write();
        }
        catch (JournalWriteException)
        {
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null) await _loop.ConfigureAwait(false);
        _loop = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
        _broken.Dispose();
    }
}
