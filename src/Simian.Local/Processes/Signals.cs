using System.Runtime.InteropServices;

namespace Simian.Local.Processes;

/// <summary>POSIX signals by name, sent with libc's kill(2). Numbers are Linux's.</summary>
public static partial class Signals
{
    public static readonly IReadOnlyDictionary<string, int> ByName = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase)
    {
        ["HUP"] = 1, ["INT"] = 2, ["QUIT"] = 3, ["KILL"] = 9, ["USR1"] = 10, ["USR2"] = 12, ["TERM"] = 15,
        ["CONT"] = 18, ["STOP"] = 19,
    };

    public const int Stop = 19;
    public const int Cont = 18;

    /// <summary>Parses KILL, SIGKILL or 9.</summary>
    public static int? Parse(string text)
    {
        var name = text.StartsWith("SIG", StringComparison.OrdinalIgnoreCase) ? text[3..] : text;
        if (ByName.TryGetValue(name, out var n)) return n;
        return int.TryParse(text, out var number) && number is > 0 and < 65 ? number : null;
    }

    /// <summary>Sends a signal; throws with errno's meaning when it fails.</summary>
    public static void Send(int pid, int signal)
    {
        if (pid <= 1) throw new InvalidOperationException($"refusing to signal pid {pid}");
        if (kill(pid, signal) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new InvalidOperationException(errno switch
            {
                1 => $"not permitted to signal process {pid}",
                3 => $"process {pid} no longer exists",
                _ => $"kill({pid}, {signal}) failed with errno {errno}",
            });
        }
    }

    /// <summary>
    /// Sends a signal as a fault's change: kill(2) either delivers it or changes nothing, so a refusal (EPERM, a
    /// process already gone) is <see cref="FaultNotAppliedException"/> — could not apply, nothing to undo.
    /// </summary>
    public static void Inject(int pid, int signal)
    {
        try
        {
            Send(pid, signal);
        }
        catch (InvalidOperationException e)
        {
            throw new Simian.Core.Providers.FaultNotAppliedException(e.Message, e);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
