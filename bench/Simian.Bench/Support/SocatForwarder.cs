using System.Net;
using System.Net.Sockets;

namespace Simian.Bench.Support;

/// <summary>
/// Debian's socat as the peer yardstick: the plain forwarder a user would otherwise pick, started the way they
/// would start it (<c>socat TCP-LISTEN:PORT,bind=127.0.0.1,fork,reuseaddr,backlog=128 TCP:127.0.0.1:UPSTREAM</c>,
/// default buffer), in its own process like simian's proxy. The backlog is raised from socat's 5, which dropped
/// connections when 64 connected at once. Null from <see cref="TryStartAsync"/> when socat is
/// not installed (<c>.ci/run</c> installs it).
/// </summary>
public sealed class SocatForwarder : IAsyncDisposable
{
    public const string Path = "/usr/bin/socat";

    private SocatForwarder(ChildProcess process, IPEndPoint endPoint)
    {
        Process = process;
        EndPoint = endPoint;
    }

    public ChildProcess Process { get; }

    public IPEndPoint EndPoint { get; }

    public static bool Installed => File.Exists(Path);

    public static string Missing => "socat is not installed (apt-get install -y socat): the socat yardstick was not measured";

    public static async Task<SocatForwarder?> TryStartAsync(IPEndPoint upstream)
    {
        if (!Installed)
        {
            return null;
        }

        // The port was free a moment ago; if socat lost it to another process it exits, and another port is tried.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var port = Loopback.FreePort();
            var process = ChildProcess.Start(Path, [$"TCP-LISTEN:{port},bind=127.0.0.1,fork,reuseaddr,backlog=128", $"TCP:127.0.0.1:{upstream.Port}"]);
            var endPoint = new IPEndPoint(IPAddress.Loopback, port);
            if (await WaitListeningAsync(process, endPoint).ConfigureAwait(false))
            {
                return new SocatForwarder(process, endPoint);
            }

            await process.DisposeAsync().ConfigureAwait(false);
        }

        throw new BenchFailedException("socat did not start listening on loopback after 5 attempts");
    }

    private static async Task<bool> WaitListeningAsync(ChildProcess process, IPEndPoint endPoint)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline && !process.Process.HasExited)
        {
            // A probe connection: socat forks a child for it, which ends when it is closed.
            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await probe.ConnectAsync(endPoint).ConfigureAwait(false);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(20).ConfigureAwait(false);
            }
        }

        return false;
    }

    public async ValueTask DisposeAsync()
    {
        await Process.StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        await Process.DisposeAsync().ConfigureAwait(false);
    }
}
