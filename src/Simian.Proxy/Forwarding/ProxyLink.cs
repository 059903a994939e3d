using System.Net;
using System.Net.Sockets;

namespace Simian.Proxy;

/// <summary>One accepted client connection and its connection to the upstream, pumped in both directions.</summary>
internal sealed class ProxyLink
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _client;
    private readonly ProxyInstance _proxy;
    private readonly object _gate = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Socket? _upstream;
    private bool _closed;

    public ProxyLink(Socket client, ProxyInstance proxy)
    {
        _client = client;
        _proxy = proxy;
    }

    /// <summary>Completes once both sockets are closed.</summary>
    public Task Completion => _completion.Task;

    public async Task RunAsync()
    {
        try
        {
            Socket upstream = CreateUpstreamSocket(_proxy.UpstreamEndPoint);
            lock (_gate)
            {
                if (_closed)
                {
                    upstream.Dispose();
                    return;
                }

                _upstream = upstream;
            }

            if (!await TryConnectAsync(upstream).ConfigureAwait(false))
            {
                return;
            }

            var toUpstream = new StreamPump(_client, upstream, _proxy.UpstreamToxics, NewContext(), Fail, _closing.Token);
            var toClient = new StreamPump(upstream, _client, _proxy.DownstreamToxics, NewContext(), Fail, _closing.Token);
            await Task.WhenAll(toUpstream.RunAsync(), toClient.RunAsync()).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _proxy.Log($"proxy {_proxy.Name}: connection failed: {e.Message}");
        }
        finally
        {
            Close(abortive: false);
            _completion.TrySetResult();
        }
    }

    /// <summary>Closes both sockets; abortive sends a TCP RST instead of a FIN. Safe to call more than once.</summary>
    public void Close(bool abortive)
    {
        Socket? upstream;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            upstream = _upstream;
        }

        _closing.Cancel();
        CloseSocket(_client, abortive);
        if (upstream is not null)
        {
            CloseSocket(upstream, abortive);
        }
    }

    public static void CloseSocket(Socket socket, bool abortive)
    {
        if (abortive)
        {
            try
            {
                // Linger on with a zero timeout makes close() send RST and drop unsent data.
                socket.LingerState = new LingerOption(true, 0);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Already gone: there is nothing left to reset.
            }
        }

        socket.Dispose();
    }

    private static Socket CreateUpstreamSocket(EndPoint endPoint)
    {
        // A host name may resolve to either family; the default constructor gives a dual-mode socket for that.
        Socket socket = endPoint is IPEndPoint ip
            ? new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        socket.NoDelay = true;
        return socket;
    }

    private async Task<bool> TryConnectAsync(Socket upstream)
    {
        using var timeout = new CancellationTokenSource(ConnectTimeout, _proxy.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token, timeout.Token);
        try
        {
            await upstream.ConnectAsync(_proxy.UpstreamEndPoint, linked.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (!_closing.IsCancellationRequested)
        {
            string reason = timeout.IsCancellationRequested ? $"timed out after {ConnectTimeout.TotalSeconds:0} s" : e.Message;
            _proxy.Log($"proxy {_proxy.Name}: cannot reach upstream {_proxy.Upstream}: {reason}");
            return false;
        }
        catch (Exception)
        {
            return false;
        }
    }

    private ToxicContext NewContext() => new(_proxy.Delay, _proxy.NewRandom(), () => Close(abortive: true));

    private void Fail() => Close(abortive: false);
}
