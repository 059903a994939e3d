using Simian.Core.Probes;
using Simian.Core.Running;

namespace Simian.Cli.Output;

/// <summary>
/// The status line a person sees during a run on a terminal: the current step, elapsed and remaining hold, the
/// last probe result and how to abort. Events still go to the inner observer as plain lines above it. Used
/// only when stderr is a terminal; colour only when NO_COLOR is unset.
/// </summary>
public sealed class LiveStatus : IRunObserver, IDisposable
{
    private readonly IRunObserver _inner;
    private readonly TextWriter _stderr;
    private readonly TimeProvider _time;
    private readonly bool _color;
    private ITimer? _timer;
    private readonly long _started;
    private readonly object _gate = new();
    private string _step = "starting";
    private long _holdStarted;
    private TimeSpan? _hold;
    private ProbeResult? _lastProbe;
    private bool _drawn;

    public LiveStatus(IRunObserver inner, TextWriter stderr, TimeProvider time, bool color)
    {
        _inner = inner;
        _stderr = stderr;
        _time = time;
        _color = color;
        _started = time.GetTimestamp();
    }

    /// <summary>Starts drawing; called after approval so that the line never overwrites the question.</summary>
    public void Start()
    {
        lock (_gate)
        {
            _timer ??= _time.CreateTimer(_ => Draw(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(250));
        }
    }

    public void Phase(string text)
    {
        lock (_gate)
        {
            Clear();
            _inner.Phase(text);
            _step = text;
            var holding = text.IndexOf(": holding ", StringComparison.Ordinal);
            var pausing = text.StartsWith("pausing ", StringComparison.Ordinal);
            _hold = null;
            if (holding >= 0 && Simian.Core.Profiles.Duration.TryParse(text[(holding + 10)..], out var h, out _)) _hold = h;
            else if (pausing && Simian.Core.Profiles.Duration.TryParse(text[8..], out var p, out _)) _hold = p;
            _holdStarted = _time.GetTimestamp();
            DrawLocked();
        }
    }

    public void Probe(string phase, ProbeResult result)
    {
        lock (_gate)
        {
            Clear();
            _inner.Probe(phase, result);
            _lastProbe = result;
            DrawLocked();
        }
    }

    public void Warning(string text)
    {
        lock (_gate)
        {
            Clear();
            _inner.Warning(text);
            DrawLocked();
        }
    }

    /// <summary>The status text without terminal control codes (tests read this).</summary>
    public string Render()
    {
        var elapsed = _time.GetElapsedTime(_started);
        var parts = new List<string> { $"[{Fmt(elapsed)}] {_step}" };
        if (_hold is { } hold)
        {
            var held = _time.GetElapsedTime(_holdStarted);
            var left = hold - held;
            parts.Add($"held {Fmt(held)}, {Fmt(left < TimeSpan.Zero ? TimeSpan.Zero : left)} left");
        }
        if (_lastProbe is { } p) parts.Add($"{p.Probe} {(p.Ok ? "ok" : "FAILED")} {p.Latency.TotalMilliseconds:0}ms");
        parts.Add("Ctrl-C rolls back");
        return string.Join(" | ", parts);
    }

    private void Draw()
    {
        lock (_gate) DrawLocked();
    }

    private void DrawLocked()
    {
        if (_timer is null) return;
        var text = Render();
        if (_color)
        {
            var colour = _lastProbe is { Ok: false } ? "\u001b[33m" : "\u001b[36m";
            text = colour + text + "\u001b[0m";
        }
        _stderr.Write("\r\u001b[2K" + text);
        _stderr.Flush();
        _drawn = true;
    }

    private void Clear()
    {
        if (!_drawn) return;
        _stderr.Write("\r\u001b[2K");
        _drawn = false;
    }

    private static string Fmt(TimeSpan t) => t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss") : t.ToString(@"m\:ss");

    public void Dispose()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
            Clear();
        }
        _stderr.Flush();
    }
}
