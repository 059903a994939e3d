using System.Diagnostics;
using System.Net.Sockets;
using Simian.Core;
using Simian.Local.Processes;

namespace Simian.Local.Services;

/// <summary>A running helper process: started through /bin/sh, waited on until ready, stopped with TERM then KILL.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private const int TailLines = 12;
    private const int TailLineLength = 400;

    private readonly Process _process;
    private readonly Queue<string> _stderrTail = new();

    private ServiceProcess(ServiceDefinition definition, Process process)
    {
        Definition = definition;
        _process = process;
    }

    public ServiceDefinition Definition { get; }

    public int Pid => _process.Id;

    /// <summary>
    /// Starts the service; a leading <c>simian</c> in <c>run</c> means this very program, so profiles can use its
    /// built-in demo server without knowing where it is installed.
    /// </summary>
    /// <param name="marker">Put in the service's environment (<see cref="ServiceFault.MarkerVariable"/>) so rollback and recover find all its processes.</param>
    public static async Task<ServiceProcess> StartAsync(ServiceDefinition definition, string simianCommand, string marker, HttpClient http, TimeProvider time, CancellationToken cancellationToken)
    {
        var run = definition.Run.StartsWith("simian ", StringComparison.Ordinal) ? simianCommand + definition.Run["simian".Length..] : definition.Run;
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec " + run);
        info.Environment[ServiceFault.MarkerVariable] = marker;
        var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new ProviderException($"cannot start service '{definition.Name}': {e.Message}", e);
        }
        var service = new ServiceProcess(definition, process);
        // Drain output so the service never blocks on a full pipe; keep the last lines of stderr to explain an early exit.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => service.KeepTail(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (definition.Ready is null) return service;
        try
        {
            await service.WaitReadyAsync(http, time, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await service.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return service;
    }

    private async Task WaitReadyAsync(HttpClient http, TimeProvider time, CancellationToken cancellationToken)
    {
        var ready = new Uri(Definition.Ready!);
        var started = time.GetTimestamp();
        while (time.GetElapsedTime(started) < Definition.ReadyTimeout)
        {
            if (_process.HasExited)
            {
                // The last lines may still be in the pipe: wait for the reader to reach its end.
                await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                var tail = StderrTail();
                throw new ProviderException($"service '{Definition.Name}' exited with code {_process.ExitCode} before it was ready" +
                    (tail.Length == 0 ? " (it wrote nothing to stderr)" : $"; its last lines of stderr:{Environment.NewLine}{tail}"));
            }
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(TimeSpan.FromSeconds(1));
                if (ready.Scheme == "tcp")
                {
                    using var socket = new TcpClient();
                    await socket.ConnectAsync(ready.Host, ready.Port, attempt.Token).ConfigureAwait(false);
                    return;
                }
                using var response = await http.GetAsync(ready, attempt.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken).ConfigureAwait(false);
        }
        throw new ProviderException($"service '{Definition.Name}' was not ready at {Definition.Ready} within {Simian.Core.Profiles.Duration.Format(Definition.ReadyTimeout)}");
    }

    private void KeepTail(string? line)
    {
        if (line is null) return;
        lock (_stderrTail)
        {
            _stderrTail.Enqueue(line.Length > TailLineLength ? line[..TailLineLength] + "…" : line);
            while (_stderrTail.Count > TailLines) _stderrTail.Dequeue();
        }
    }

    /// <summary>The service's last lines of stderr, indented and with secrets masked.</summary>
    public string StderrTail()
    {
        lock (_stderrTail) return string.Join(Environment.NewLine, _stderrTail.Select(l => "  | " + Simian.Core.Profiles.Redaction.Text(l)));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                // A service paused by a fault must be resumed or it never sees the TERM.
                try { Signals.Send(_process.Id, Signals.Cont); Signals.Send(_process.Id, 15); } catch (InvalidOperationException) { }
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try
                {
                    await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync().ConfigureAwait(false);
                }
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
    }
}
