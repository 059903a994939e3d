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

    /// <summary>
    /// A TCP port on 127.0.0.1 for a server a test must name before it starts (a profile's proxy, another process's
    /// control API); where the server can bind port 0 and say which port it got, prefer that. The bind-to-0, close,
    /// reuse pattern races: the kernel hands the freed port to the next outgoing connection. So the port comes from
    /// below the kernel's ephemeral range (never handed out implicitly), is checked by binding it, and is claimed for
    /// the life of this process with an exclusive lock file, so parallel test processes never get the same one.
    /// </summary>
    public static int FreePort() => Ports.Claim();

    private static class Ports
    {
        private static readonly object Gate = new();
        private static readonly List<FileStream> Claims = [];
        private static readonly string Dir = Path.Combine(Path.GetTempPath(), "simian-test-ports");
        private static int _next = -1;

        public static int Claim()
        {
            lock (Gate)
            {
                var (low, high) = Range();
                if (_next < 0) _next = low + Random.Shared.Next(high - low);
                for (var tries = 0; tries < high - low; tries++)
                {
                    var port = _next;
                    _next = _next + 1 >= high ? low : _next + 1;
                    if (TryClaim(port)) return port;
                }
                throw new InvalidOperationException($"no free port between {low} and {high}");
            }
        }

        /// <summary>Ports below the ephemeral range (ip_local_port_range), above the well-known and common service ports.</summary>
        private static (int Low, int High) Range()
        {
            var ephemeralStart = 32768;
            try
            {
                var text = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
                if (int.TryParse(text[0], out var start)) ephemeralStart = start;
            }
            catch (IOException)
            {
            }
            return ephemeralStart > 21000 ? (20000, ephemeralStart) : (ephemeralStart > 11000 ? 10000 : 1024, ephemeralStart);
        }

        private static bool TryClaim(int port)
        {
            FileStream? claim = null;
            try
            {
                Directory.CreateDirectory(Dir);
                // FileShare.None is an exclusive lock: held by another test process, this port is theirs.
                claim = new FileStream(Path.Combine(Dir, $"{port}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                using (var probe = new TcpListener(IPAddress.Loopback, port))
                {
                    probe.Start();
                }
                Claims.Add(claim);
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or SocketException)
            {
                claim?.Dispose();
                return false;
            }
        }
    }
}
