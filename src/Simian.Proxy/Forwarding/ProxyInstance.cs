using System.Net;
using System.Net.Sockets;

namespace Simian.Proxy;

/// <summary>One named proxy: its listener, its open links and its toxics.</summary>
internal sealed class ProxyInstance
{
    private const int Backlog = 512;

    private readonly Socket _listener;
    private readonly Func<Random> _newRandom;
    private readonly Action<string> _log;

    // Guarded by the owning ProxyServer's lock; what the copy loops read is published into the two DirectionToxics.
    private readonly List<ActiveToxic> _toxics = [];

    // Guarded by itself. Checked together with _resetConnections and _stopped so no accept can slip past a reset.
    private readonly HashSet<ProxyLink> _links = [];
    private volatile bool _resetConnections;
    private bool _stopped;
    private Task _acceptLoop = Task.CompletedTask;

    private ProxyInstance(string name, Socket listener, string upstream, EndPoint upstreamEndPoint, PreciseDelay delay, Func<Random> newRandom, Action<string> log)
    {
        Name = name;
        _listener = listener;
        Listen = listener.LocalEndPoint!.ToString()!;
        Upstream = upstream;
        UpstreamEndPoint = upstreamEndPoint;
        Delay = delay;
        _newRandom = newRandom;
        _log = log;
    }

    public string Name { get; }

    public string Listen { get; }

    public string Upstream { get; }

    public EndPoint UpstreamEndPoint { get; }

    public PreciseDelay Delay { get; }

    public TimeProvider Time => Delay.Time;

    public DirectionToxics DownstreamToxics { get; } = new();

    public DirectionToxics UpstreamToxics { get; } = new();

    public IReadOnlyList<ActiveToxic> Toxics => _toxics;

    public static ProxyInstance Start(string name, IPEndPoint listen, string upstream, EndPoint upstreamEndPoint, PreciseDelay delay, Func<Random> newRandom, Action<string> log)
    {
        var listener = new Socket(listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (listen.Address.Equals(IPAddress.IPv6Any))
            {
                listener.DualMode = true;
            }

            listener.Bind(listen);
            listener.Listen(Backlog);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            var kind = e.SocketErrorCode == SocketError.AddressAlreadyInUse ? ProxyErrorKind.Conflict : ProxyErrorKind.Invalid;
            throw new ProxyException(kind, $"proxy {name}: cannot listen on {listen}: {e.Message}" +
                (kind == ProxyErrorKind.Conflict ? "; another program has that port: choose another listen address for the proxy (and point the probe at it)" : ""), e);
        }

        var proxy = new ProxyInstance(name, listener, upstream, upstreamEndPoint, delay, newRandom, log);
        proxy._acceptLoop = proxy.AcceptLoopAsync();
        return proxy;
    }

    public Random NewRandom() => _newRandom();

    public void Log(string message) => _log(message);

    public ActiveToxic? FindToxic(string name) => _toxics.Find(t => string.Equals(t.Name, name, StringComparison.Ordinal));

    public void AddToxic(ActiveToxic toxic)
    {
        _toxics.Add(toxic);
        Publish();
    }

    public void RemoveToxic(ActiveToxic toxic)
    {
        _toxics.Remove(toxic);
        Publish();
    }

    public void ClearToxics()
    {
        _toxics.Clear();
        Publish();
    }

    /// <summary>Connections accepted and not yet finished in both directions.</summary>
    public int OpenConnections
    {
        get
        {
            lock (_links) return _links.Count;
        }
    }

    public ProxyInfo ToInfo() => new(Name, Listen, Upstream, _toxics.ConvertAll(t => t.ToInfo()));

    /// <summary>Stops accepting and closes every open connection; returns when all of them are gone.</summary>
    public async Task StopAsync()
    {
        ProxyLink[] open;
        lock (_links)
        {
            _stopped = true;
            open = [.. _links];
        }

        _listener.Dispose();
        foreach (ProxyLink link in open)
        {
            link.Close(abortive: false);
        }

        await _acceptLoop.ConfigureAwait(false);
        await Task.WhenAll(open.Select(l => l.Completion)).ConfigureAwait(false);
    }

    private void Publish()
    {
        DownstreamToxics.Publish(Behaviours(ToxicStream.Downstream));
        UpstreamToxics.Publish(Behaviours(ToxicStream.Upstream));
        bool reset = _toxics.Exists(t => t.Behaviour is IResetsConnections);
        _resetConnections = reset;
        if (reset)
        {
            ProxyLink[] open;
            lock (_links)
            {
                open = [.. _links];
            }

            foreach (ProxyLink link in open)
            {
                link.Close(abortive: true);
            }
        }
    }

    private IToxic[] Behaviours(ToxicStream stream) =>
        [.. _toxics.Where(t => t.Stream == stream).Select(t => t.Behaviour)];

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                lock (_links)
                {
                    if (_stopped)
                    {
                        return;
                    }
                }

                // Transient (a client gave up mid-handshake, or file descriptors ran out): keep serving, but do
                // not spin if the cause persists.
                Log($"proxy {Name}: accept failed: {e.Message}");
                await Task.Delay(TimeSpan.FromMilliseconds(10), Time).ConfigureAwait(false);
                continue;
            }

            Accept(client);
        }
    }

    private void Accept(Socket client)
    {
        client.NoDelay = true;
        var link = new ProxyLink(client, this);
        lock (_links)
        {
            if (_stopped || _resetConnections)
            {
                ProxyLink.CloseSocket(client, abortive: !_stopped);
                return;
            }

            _links.Add(link);
        }

        _ = RunLinkAsync(link);
    }

    private async Task RunLinkAsync(ProxyLink link)
    {
        await link.RunAsync().ConfigureAwait(false);
        lock (_links)
        {
            _links.Remove(link);
        }
    }
}
