using System.Diagnostics;

namespace Simian.Testing;

/// <summary>Files of the kinds a hostile world offers instead of a regular file.</summary>
public static class TestFiles
{
    /// <summary>A named pipe (mkfifo): opening it for reading blocks until a writer comes, forever if none does.</summary>
    public static string Fifo(string dir, string name)
    {
        var path = Path.Combine(dir, name);
        using var p = Process.Start("mkfifo", [path])!;
        p.WaitForExit();
        return path;
    }
}
