using System.Diagnostics;
using System.Text;
using Simian.Local.Processes;

namespace Simian.Testing;

/// <summary>
/// The built simian as a real child process (`dotnet simian.dll ...`), for signals and crashes that in-process tests
/// cannot show. Its output is captured, and it is killed with its children on dispose.
/// </summary>
public sealed class SimianProcess : IDisposable
{
    private static readonly IReadOnlyDictionary<string, string> NoVariables = new Dictionary<string, string>();

    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    public SimianProcess(string stateDir, params string[] args) : this(SimianProcessOptions.Default, stateDir, NoVariables, args)
    {
    }

    public SimianProcess(string stateDir, IReadOnlyDictionary<string, string> env, params string[] args) : this(SimianProcessOptions.Default, stateDir, env, args)
    {
    }

    public SimianProcess(SimianProcessOptions options, string stateDir, params string[] args) : this(options, stateDir, NoVariables, args)
    {
    }

    /// <param name="options">Whether SIMIAN_DEBUG is set.</param>
    /// <param name="stateDir">The child's SIMIAN_STATE_DIR.</param>
    /// <param name="env">Variables the test sets; applied last, so they win over everything else.</param>
    /// <param name="args">The simian command line.</param>
    public SimianProcess(SimianProcessOptions options, string stateDir, IReadOnlyDictionary<string, string> env, params string[] args)
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
        if (options.Debug) info.Environment["SIMIAN_DEBUG"] = "1";
        // Nothing of the machine's AWS configuration reaches the child: tests never touch a real account. What a
        // test needs (sandbox credentials, region) it passes in env.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal)).ToList()) info.Environment.Remove(name);
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

    /// <summary>Runs simian to the end (with <see cref="SimianProcessOptions.Default"/>) and returns its exit code and output.</summary>
    public static async Task<CliResult> RunToEndAsync(string stateDir, IReadOnlyDictionary<string, string> env, TimeSpan timeout, params string[] args)
    {
        using var process = new SimianProcess(stateDir, env, args);
        var code = await process.WaitAsync(timeout);
        return new CliResult(code, process.Stdout, process.Stderr);
    }

    /// <summary>Sends a signal by number with kill(2) (no `kill` child process, so it lands within microseconds).</summary>
    public void Signal(int signal) => Signals.Send(Process.Id, signal);

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
