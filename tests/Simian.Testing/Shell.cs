using System.Diagnostics;

namespace Simian.Testing;

/// <summary>Runs a bash script to the end (pipelines, setpriv, strace: what a test cannot say as one process).</summary>
public static class Shell
{
    /// <summary>The exit code and stdout followed by stderr; killed with its children after <paramref name="timeout"/>.</summary>
    public static async Task<(int Code, string Output)> RunAsync(string script, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        info.Environment["CI"] = "true";
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"bash -c did not finish within {timeout}: {script}\n{await stdout}\n{await stderr}");
        }
        return (p.ExitCode, await stdout + await stderr);
    }
}
