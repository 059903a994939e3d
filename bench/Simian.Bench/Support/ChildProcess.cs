using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Simian.Bench.Support;

/// <summary>
/// A simian (or other) child process with its output kept in memory, stopped by SIGINT like a user would and
/// killed only if it ignores that. A path ending in .dll is run through <c>dotnet</c>.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    public const int SigInt = 2;
    public const int SigKill = 9;

    private const int MaxKeptChars = 64 * 1024;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private ChildProcess(Process process, string display)
    {
        Process = process;
        Display = display;
    }

    public Process Process { get; }

    public int Pid => Process.Id;

    public string Display { get; }

    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }

    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    public static ChildProcess Start(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null, string? workingDirectory = null)
    {
        var info = Info(program, args);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true;
        info.WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory;
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }

        var process = Process.Start(info) ?? throw new BenchFailedException($"cannot start {program}");
        var child = new ChildProcess(process, string.Join(' ', new[] { info.FileName }.Concat(info.ArgumentList)));
        process.OutputDataReceived += (_, e) => Keep(child._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(child._stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        return child;
    }

    /// <summary>How to launch <paramref name="program"/>: directly, or through dotnet for a framework-dependent .dll.</summary>
    public static ProcessStartInfo Info(string program, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo { UseShellExecute = false };
        if (program.EndsWith(".dll", StringComparison.Ordinal))
        {
            info.FileName = "dotnet";
            info.ArgumentList.Add(program);
        }
        else
        {
            info.FileName = program;
        }

        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        return info;
    }

    public void Signal(int signal)
    {
        if (kill(Pid, signal) != 0)
        {
            throw new BenchFailedException($"kill({Pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await Process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            return Process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>SIGINT, then SIGKILL after the grace period; returns the exit code, or null if it had to be killed.</summary>
    public async Task<int?> StopAsync(TimeSpan grace)
    {
        if (Process.HasExited)
        {
            return Process.ExitCode;
        }

        Signal(SigInt);
        if (await WaitForExitAsync(grace).ConfigureAwait(false) is { } code)
        {
            return code;
        }

        Process.Kill(entireProcessTree: true);
        await Process.WaitForExitAsync().ConfigureAwait(false);
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        Process.Dispose();
    }

    public string Describe() => $"{Display}\n--- stdout (tail)\n{Tail(Stdout)}\n--- stderr (tail)\n{Tail(Stderr)}";

    private static string Tail(string text) => text.Length > 4000 ? "…" + text[^4000..] : text;

    private static void Keep(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (buffer)
        {
            if (buffer.Length > MaxKeptChars)
            {
                buffer.Remove(0, buffer.Length - (MaxKeptChars / 2));
            }

            buffer.AppendLine(line);
        }
    }

    /// <summary>
    /// Gives SIGINT back its default action when this process inherited it ignored, as every command started with
    /// <c>&amp;</c> or <c>nohup</c> from a script does. An ignored signal stays ignored across exec, so every simian
    /// this harness starts would ignore the SIGINT it is stopped (and the abort benchmark timed) with.
    /// </summary>
    public static void UnignoreSigInt()
    {
        var ignored = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        if (ignored is not null && (Convert.ToUInt64(ignored[7..].Trim(), 16) & (1UL << (SigInt - 1))) != 0)
        {
            signal(SigInt, IntPtr.Zero);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [DllImport("libc")]
    private static extern IntPtr signal(int sig, IntPtr handler);
}
