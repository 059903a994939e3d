using System.Diagnostics;
using System.Text;

namespace Simian.Reliability.Tests.Support;

/// <summary>The built simian as a real child process, for signals and crashes that in-process tests cannot show.</summary>
public sealed class SimianProcess : IDisposable
{
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    public SimianProcess(string stateDir, params string[] args) : this(stateDir, new Dictionary<string, string>(), args)
    {
    }

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
        // The machine's own AWS configuration must never reach a test.
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

    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }

    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>Runs simian to the end and returns its exit code and output.</summary>
    public static async Task<CliResult> RunToEndAsync(string stateDir, IReadOnlyDictionary<string, string> env, TimeSpan timeout, params string[] args)
    {
        using var process = new SimianProcess(stateDir, env, args);
        var code = await process.WaitAsync(timeout);
        return new CliResult(code, process.Stdout, process.Stderr);
    }

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

    public void Dispose()
    {
        try { if (!Process.HasExited) Process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        Process.Dispose();
    }
}
