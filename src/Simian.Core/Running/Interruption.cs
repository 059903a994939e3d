namespace Simian.Core.Running;

/// <summary>
/// A request to stop early (Ctrl-C, SIGTERM). The first request stops the method and starts rollback; the
/// runner never passes this token to undo calls, so a further signal cannot cut a rollback short.
/// </summary>
public sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private volatile bool _rollingBack;
    private volatile bool _changed;

    public CancellationToken Token => _cts.Token;

    public bool Requested => _cts.IsCancellationRequested;

    /// <summary>130 for SIGINT, 143 for SIGTERM.</summary>
    public int ExitCode { get; private set; } = Core.ExitCodes.Interrupted;

    public string Signal { get; private set; } = "SIGINT";

    public bool RollingBack => _rollingBack;

    internal void MarkRollingBack() => _rollingBack = true;

    /// <summary>True once the run has journaled its first change: from then on a stop means a rollback.</summary>
    public bool Changed => _changed;

    public void MarkChanged() => _changed = true;

    /// <summary>Returns false when a stop was already requested (the caller says rollback is in progress).</summary>
    public bool Request(string signal, int exitCode)
    {
        lock (_cts)
        {
            if (_cts.IsCancellationRequested) return false;
            Signal = signal;
            ExitCode = exitCode;
        }
        _cts.Cancel();
        return true;
    }

    public void Dispose() => _cts.Dispose();
}
