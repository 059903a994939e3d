using System.Diagnostics;
using System.Text;

namespace Simian.CrashMatrix.Tests.Support;

/// <summary>The built simian as a real child process (`dotnet simian.dll ...`), killed with its children on dispose.</summary>
public sealed class SimianProcess : IDisposable
{
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    public SimianProcess(string stateDir, IReadOnlyDictionary<string, string> env, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Repo.Root,
        };
        info.ArgumentList.Add(Repo.SimianDll);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["SIMIAN_STATE_DIR"] = stateDir;
        info.Environment["CI"] = "true";
        info.Environment["SIMIAN_DEBUG"] = "1";
        // Only what a test sets: the machine's own AWS profiles must never leak into a run.
        info.Environment["AWS_CONFIG_FILE"] = Path.Combine(stateDir, "no-aws-config");
        info.Environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(stateDir, "no-aws-credentials");
        foreach (var (k, v) in env) info.Environment[k] = v;
        Process = Process.Start(info)!;
        Process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_stdout) _stdout.AppendLine(e.Data); };
        Process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }

    public Process Process { get; }

    public int Pid => Process.Id;

    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }

    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>Sends a signal by number with kill(2) (no `kill` child process, so it lands within microseconds).</summary>
    public void Signal(int signal) => Simian.Local.Processes.Signals.Send(Process.Id, signal);

    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await Process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"simian did not exit within {timeout}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}");
        }
        Process.WaitForExit();
        return Process.ExitCode;
    }

    public override string ToString() => $"--- stdout\n{Stdout}\n--- stderr\n{Stderr}";

    public void Dispose()
    {
        try { if (!Process.HasExited) Process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        try { Process.WaitForExit(5000); } catch (InvalidOperationException) { }
        Process.Dispose();
    }
}
