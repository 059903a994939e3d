using System.Runtime.InteropServices;
using Simian.Core;
using Simian.Core.Running;

namespace Simian.Cli;

/// <summary>
/// Routes SIGINT and SIGTERM to whatever is running: a run's <see cref="Interruption"/> (which rolls back
/// before exiting) or a server's shutdown token. With nothing registered the default behaviour applies.
/// </summary>
public sealed class SignalHub : IDisposable
{
    private readonly List<PosixSignalRegistration> _registrations = [];
    private readonly object _gate = new();
    private Interruption? _run;
    private CancellationTokenSource? _server;
    private TextWriter? _stderr;
    private bool _listen;

    /// <summary>
    /// Listens for real signals from the first <see cref="Attach(Interruption, TextWriter)"/> on; tests leave this off
    /// and call <see cref="Raise"/>. Until something is attached a signal has its default effect anyway, so a verb
    /// that never attaches (validate, --version) does not start the runtime's signal thread.
    /// </summary>
    public void ListenToProcessSignals()
    {
        lock (_gate) _listen = true;
    }

    public IDisposable Attach(Interruption run, TextWriter stderr)
    {
        lock (_gate) { Register(); _run = run; _stderr = stderr; }
        return new Detach(this);
    }

    public IDisposable Attach(CancellationTokenSource server)
    {
        lock (_gate) { Register(); _server = server; }
        return new Detach(this);
    }

    private void Register()
    {
        if (!_listen || _registrations.Count > 0) return;
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, c => c.Cancel = Raise("SIGINT")));
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => c.Cancel = Raise("SIGTERM")));
    }

    /// <summary>Returns true when the signal was handled here (the process must not be terminated by it).</summary>
    public bool Raise(string signal)
    {
        Interruption? run;
        CancellationTokenSource? server;
        TextWriter? stderr;
        lock (_gate) { run = _run; server = _server; stderr = _stderr; }
        var exitCode = signal == "SIGTERM" ? ExitCodes.Terminated : ExitCodes.Interrupted;
        if (run is not null)
        {
            // Read before the request: once it is made, the run may reach its rollback before this line is written.
            var wasRollingBack = run.RollingBack;
            var first = run.Request(signal, exitCode);
            // A run already rolling back on its own is not cut short by a first signal either.
            if (first && !run.Changed)
            {
                stderr?.WriteLine($"simian: {signal} received: stopping; nothing has been changed");
            }
            else if (first && !wasRollingBack)
            {
                stderr?.WriteLine($"simian: {signal} received: stopping and rolling back (this may take a moment)");
            }
            else
            {
                stderr?.WriteLine($"simian: {signal} received{(first ? "" : " again")}: rollback is in progress and will not be skipped; `kill -9` leaves changes for `simian recover`");
            }
            return true;
        }
        if (server is not null)
        {
            server.Cancel();
            return true;
        }
        return false;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var r in _registrations) r.Dispose();
        }
    }

    private sealed class Detach(SignalHub hub) : IDisposable
    {
        public void Dispose()
        {
            lock (hub._gate) { hub._run = null; hub._server = null; hub._stderr = null; }
        }
    }
}
