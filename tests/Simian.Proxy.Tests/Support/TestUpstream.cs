using System.Net;
using System.Net.Sockets;

namespace Simian.Proxy.Tests;

/// <summary>A loopback TCP server that runs one handler per accepted connection, used as a proxy's upstream.</summary>
internal sealed class TestUpstream : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Func<Socket, CancellationToken, Task> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _acceptLoop;
    private int _accepted;

    private TestUpstream(Func<Socket, CancellationToken, Task> handler)
    {
        _handler = handler;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(128);
        Address = _listener.LocalEndPoint!.ToString()!;
        _acceptLoop = AcceptLoopAsync();
    }

    public string Address { get; }

    public int Accepted => Volatile.Read(ref _accepted);

    public static TestUpstream Start(Func<Socket, CancellationToken, Task> handler) => new(handler);

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Dispose();
        await _acceptLoop;
        Task[] running;
        lock (_connections)
        {
            running = [.. _connections];
        }

        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(5));
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            socket.NoDelay = true;
            lock (_connections)
            {
                _connections.Add(RunAsync(socket));
            }
        }
    }

    private async Task RunAsync(Socket socket)
    {
        // Handlers stop when the test ends: cancellation plus closing the socket unblocks any pending call.
        using CancellationTokenRegistration closeOnStop = _stop.Token.Register(socket.Dispose);
        try
        {
            await _handler(socket, _stop.Token);
        }
        catch (Exception)
        {
            // Connections reset or closed by the proxy under test are expected here.
        }
        finally
        {
            socket.Dispose();
        }
    }
}
