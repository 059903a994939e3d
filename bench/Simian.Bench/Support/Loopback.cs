using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Simian.Bench.Support;

/// <summary>Loopback addresses only: every benchmark talks to 127.0.0.1 and nothing else.</summary>
public static class Loopback
{
    /// <summary>A port that was free a moment ago; another process may take it before it is used, which is rare on loopback.</summary>
    public static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>Parses host:port as the proxy reports it; refuses anything that is not a loopback address.</summary>
    public static IPEndPoint Parse(string hostPort)
    {
        var colon = hostPort.LastIndexOf(':');
        var host = hostPort[..colon].Trim('[', ']');
        var address = host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(host);
        if (!IPAddress.IsLoopback(address))
        {
            throw new BenchFailedException($"refusing a non-loopback address: {hostPort}");
        }

        return new IPEndPoint(address, int.Parse(hostPort[(colon + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture));
    }

    public static Socket Connect(IPEndPoint endPoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(endPoint);
        return socket;
    }

    /// <summary>Reads exactly buffer.Length bytes; false if the peer closed first.</summary>
    public static bool ReceiveExactly(Socket socket, Span<byte> buffer)
    {
        var got = 0;
        while (got < buffer.Length)
        {
            var n = socket.Receive(buffer[got..]);
            if (n == 0)
            {
                return false;
            }

            got += n;
        }

        return true;
    }

    public static void SendAll(Socket socket, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            data = data[socket.Send(data)..];
        }
    }
}
