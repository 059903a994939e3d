using System.Net.Sockets;
using System.Text;

namespace Simian.Proxy.Tests;

/// <summary>Connection handlers for TestUpstream: an echo server, an HTTP-like server and a few scripted ones.</summary>
internal static class Upstreams
{
    public static readonly byte[] HttpResponse = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"u8.ToArray();

    /// <summary>Echoes everything; when the client half-closes, finishes echoing and half-closes too.</summary>
    public static async Task Echo(Socket socket, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[64 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
        {
            await socket.SendAllAsync(buffer.AsMemory(0, read), cancellationToken);
        }

        socket.Shutdown(SocketShutdown.Send);
    }

    /// <summary>Answers each request that ends in a blank line with a small fixed response, keeping the connection open.</summary>
    public static async Task HttpLike(Socket socket, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[4096];
        var pending = new StringBuilder();
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
        {
            pending.Append(Encoding.ASCII.GetString(buffer, 0, read));
            string text = pending.ToString();
            int end;
            while ((end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal)) >= 0)
            {
                await socket.SendAllAsync(HttpResponse, cancellationToken);
                text = text[(end + 4)..];
            }

            pending.Clear().Append(text);
        }

        socket.Shutdown(SocketShutdown.Send);
    }

    /// <summary>Sends the payload, then half-closes.</summary>
    public static Func<Socket, CancellationToken, Task> Send(byte[] payload) => async (socket, cancellationToken) =>
    {
        await socket.SendAllAsync(payload, cancellationToken);
        socket.Shutdown(SocketShutdown.Send);
        await socket.ReceiveToEndAsync(cancellationToken);
    };

    /// <summary>Reads until the client half-closes, then answers with how many bytes it got and closes.</summary>
    public static async Task CountUntilEnd(Socket socket, CancellationToken cancellationToken)
    {
        byte[] received = await socket.ReceiveToEndAsync(cancellationToken);
        await socket.SendAllAsync(Encoding.ASCII.GetBytes($"got {received.Length}"), cancellationToken);
        socket.Shutdown(SocketShutdown.Send);
    }
}
