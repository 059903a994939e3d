using System.Net;
using System.Net.Sockets;

namespace Simian.Bench.Support;

/// <summary>
/// A blocking TCP server on 127.0.0.1 with one thread per connection: the fewest moving parts between the wire and
/// the clock, so what the benchmarks see is the proxy and the kernel, not this server.
/// </summary>
public abstract class LoopbackServer : IDisposable
{
    private readonly Socket _listener;
    private readonly List<Socket> _open = [];
    private volatile bool _disposed;

    protected LoopbackServer()
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1024);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        new Thread(AcceptLoop) { IsBackground = true, Name = GetType().Name + " accept" }.Start();
    }

    public IPEndPoint EndPoint { get; }

    public string Address => $"127.0.0.1:{EndPoint.Port}";

    public void Dispose()
    {
        _disposed = true;
        _listener.Dispose();
        lock (_open)
        {
            foreach (var s in _open)
            {
                s.Dispose();
            }

            _open.Clear();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Serves one connection until it ends; exceptions from a peer that resets are expected and ignored.</summary>
    protected abstract void Serve(Socket connection);

    private void AcceptLoop()
    {
        while (!_disposed)
        {
            Socket connection;
            try
            {
                connection = _listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (_disposed)
                {
                    return;
                }

                continue;
            }

            connection.NoDelay = true;
            lock (_open)
            {
                _open.Add(connection);
            }

            new Thread(() => Run(connection)) { IsBackground = true, Name = GetType().Name + " connection" }.Start();
        }
    }

    private void Run(Socket connection)
    {
        try
        {
            Serve(connection);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The peer reset or the server is shutting down: the connection is over either way.
        }
        finally
        {
            lock (_open)
            {
                _open.Remove(connection);
            }

            connection.Dispose();
        }
    }
}

/// <summary>Sends back whatever it receives.</summary>
public sealed class EchoServer : LoopbackServer
{
    protected override void Serve(Socket connection)
    {
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = connection.Receive(buffer)) > 0)
        {
            Loopback.SendAll(connection, buffer.AsSpan(0, n));
        }
    }
}

/// <summary>Discards what it receives; at the end of the stream answers with the byte count (8 bytes) and closes.</summary>
public sealed class SinkServer : LoopbackServer
{
    protected override void Serve(Socket connection)
    {
        var buffer = new byte[1024 * 1024];
        long total = 0;
        int n;
        while ((n = connection.Receive(buffer)) > 0)
        {
            total += n;
        }

        Loopback.SendAll(connection, BitConverter.GetBytes(total));
        connection.Shutdown(SocketShutdown.Send);
    }
}
