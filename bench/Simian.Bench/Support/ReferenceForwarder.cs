using System.Net;
using System.Net.Sockets;

namespace Simian.Bench.Support;

/// <summary>
/// The simplest possible TCP forwarder — two blocking threads per connection copying with one buffer each — as a
/// yardstick: what any user-space proxy can reach on this machine, against which simian's proxy is judged.
/// </summary>
public sealed class ReferenceForwarder : LoopbackServer
{
    private readonly IPEndPoint _upstream;
    private readonly int _bufferBytes;

    public ReferenceForwarder(IPEndPoint upstream, int bufferBytes)
    {
        _upstream = upstream;
        _bufferBytes = bufferBytes;
    }

    protected override void Serve(Socket connection)
    {
        using var upstream = Loopback.Connect(_upstream);
        var back = new Thread(() => Copy(upstream, connection)) { IsBackground = true, Name = "reference forwarder" };
        back.Start();
        Copy(connection, upstream);
        back.Join();
    }

    private void Copy(Socket from, Socket to)
    {
        var buffer = new byte[_bufferBytes];
        try
        {
            int n;
            while ((n = from.Receive(buffer)) > 0)
            {
                Loopback.SendAll(to, buffer.AsSpan(0, n));
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // One side went away; the other copy ends when its socket does.
        }
    }
}
