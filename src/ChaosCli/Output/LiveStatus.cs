using Simian.Core.Probes;
using Simian.Core.Running;

namespace Simian.Cli.Output;

/// <summary>
/// The status line a person sees during a run on a terminal: the current step, elapsed time since approval, the
/// remaining hold, the last probe result and how to abort. Events still go to the inner observer as plain lines
/// above it. It is one line, redrawn in place and clipped to the terminal's width (read at every redraw, and redrawn
/// at once on SIGWINCH), so it never wraps: a wrapped line could not be cleared and would leave copies in the
/// scrollback. It is cleared before anything else is printed, and <see cref="Stop"/> clears it for good before the
/// summary. Used only when stderr is a terminal; colour only when NO_COLOR is unset.
/// </summary>
public sealed class LiveStatus : IRunObserver, IDisposable
{
    private readonly IRunObserver _inner;
    private readonly TextWriter _stderr;
    private readonly TimeProvider _time;
    private readonly bool _color;
    private readonly Func<int> _width;
    private ITimer? _timer;
    private System.Runtime.InteropServices.PosixSignalRegistration? _resize;
    private long _started;
    private readonly object _gate = new();
    private string _step = "starting";
    private long _holdStarted;
    private TimeSpan? _hold;
    private ProbeResult? _lastProbe;
    private bool _drawn;

    /// <param name="width">The terminal's width in columns now (read at every redraw); 80 when not given.</param>
    public LiveStatus(IRunObserver inner, TextWriter stderr, TimeProvider time, bool color, Func<int>? width = null)
    {
        _inner = inner;
        _stderr = stderr;
        _time = time;
        _color = color;
        _width = width ?? (() => 80);
        _started = time.GetTimestamp();
    }

    /// <summary>
    /// Starts drawing, and the clock: called after approval, so the line never overwrites the question and the
    /// time spent reading the plan is not counted as experiment time.
    /// </summary>
    public void Start(bool redrawOnResize = false)
    {
        lock (_gate)
        {
            if (_timer is not null) return;
            _started = _time.GetTimestamp();
            _timer = _time.CreateTimer(_ => Draw(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(250));
            if (redrawOnResize && !OperatingSystem.IsWindows())
            {
                _resize = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGWINCH, _ => Draw());
            }
        }
    }

    /// <summary>Stops drawing and clears the line: nothing of it is left above what is printed next (the summary).</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _resize?.Dispose();
            _resize = null;
            _timer?.Dispose();
            _timer = null;
            Clear();
        }
        _stderr.Flush();
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
        var text = Clip(Render(), _width());
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

    /// <summary>
    /// The line cut to fit: one column short of the width, because writing the last column makes many terminals wrap
    /// at once; what is cut is marked with an ellipsis.
    /// </summary>
    public static string Clip(string text, int width)
    {
        var room = Math.Max(width, 10) - 1;
        return text.Length <= room ? text : text[..(room - 1)] + "…";
    }

    private static string Fmt(TimeSpan t) => t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss") : t.ToString(@"m\:ss");

    public void Dispose() => Stop();
}
