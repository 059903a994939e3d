using System.Net;
using System.Net.Sockets;

namespace Simian.Proxy.Tests;

/// <summary>Bounded helpers for driving raw sockets in tests; every call takes the test's cancellation token.</summary>
internal static class SocketTestExtensions
{
    public static async Task<Socket> ConnectAsync(string address, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(IPEndPoint.Parse(address), cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static async Task SendAllAsync(this Socket socket, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            int sent = await socket.SendAsync(data, SocketFlags.None, cancellationToken);
            data = data[sent..];
        }
    }

    public static async Task<byte[]> ReceiveExactlyAsync(this Socket socket, int count, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[count];
        int total = 0;
        while (total < count)
        {
            int read = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                throw new EndOfStreamException($"connection ended after {total} of {count} bytes");
            }

            total += read;
        }

        return buffer;
    }

    public static async Task<byte[]> ReceiveToEndAsync(this Socket socket, CancellationToken cancellationToken)
    {
        using var received = new MemoryStream();
        byte[] buffer = new byte[64 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        return received.ToArray();
    }

    /// <summary>True if nothing arrives (and the connection is not closed) within the wait.</summary>
    public static bool StaysSilent(this Socket socket, TimeSpan wait) =>
        !socket.Poll(wait, SelectMode.SelectRead);
}
