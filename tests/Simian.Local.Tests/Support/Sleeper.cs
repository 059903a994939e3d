using System.Diagnostics;
using Simian.Local.Processes;

namespace Simian.Local.Tests.Support;

/// <summary>A real `sleep` process to select, pause and kill; killed on dispose.</summary>
public sealed class Sleeper : IDisposable
{
    public Sleeper(string seconds = "3000")
    {
        Process = Process.Start(new ProcessStartInfo("sleep", seconds) { UseShellExecute = false })!;
        Arg = seconds;
    }

    public Process Process { get; }

    public string Arg { get; }

    public int Pid => Process.Id;

    public char State => ProcFs.Get(Pid)?.State ?? 'X';

    public void Dispose()
    {
        try { Signals.Send(Pid, Signals.Cont); } catch (InvalidOperationException) { }
        try { Process.Kill(); } catch (InvalidOperationException) { }
        Process.WaitForExit(5000);
        Process.Dispose();
    }
}
