using System.Net;
using System.Net.Sockets;

namespace Simian.Testing;

/// <summary>Polls a condition with a deadline, so tests wait for real events without fixed sleeps.</summary>
public static class Wait
{
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what) => UntilAsync(condition, timeout, () => what);

    public static Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) => UntilAsync(condition, timeout, () => what);

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> what) => UntilAsync(() => Task.FromResult(condition()), timeout, what);

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out after {timeout} waiting for {what()}");
            await Task.Delay(10);
        }
    }

    /// <summary>A free TCP port on 127.0.0.1 (closed again before returning, so there is a small race).</summary>
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
