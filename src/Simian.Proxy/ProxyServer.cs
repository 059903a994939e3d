using System.Net;

namespace Simian.Proxy;

/// <summary>Named TCP fault proxies and their toxics; every toxic lapses on its own unless renewed by a heartbeat.</summary>
public sealed class ProxyServer : IAsyncDisposable
{
    /// <summary>A toxic is healed within this long after its TTL lapses.</summary>
    public static readonly TimeSpan ExpiryCheckInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Longest TTL a toxic may have: a forgotten toxic must not outlive a working day.</summary>
    public const long MaxTtlMs = 24 * 60 * 60 * 1000;

    private readonly object _gate = new();
    private readonly Dictionary<string, ProxyInstance> _proxies = new(StringComparer.Ordinal);
    private readonly List<Task> _stopping = [];
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly TextWriter _log;
    private readonly ITimer _expiryTimer;
    private readonly PreciseDelay _delay;
    private bool _disposed;

    /// <param name="timeProvider">Drives TTL expiry and the latency and bandwidth toxics.</param>
    /// <param name="random">Seeds one generator per connection stream, so jitter is reproducible for a seed.</param>
    /// <param name="log">Receives one line per notable event (toxic expired, upstream unreachable); stderr in the CLI.</param>
    public ProxyServer(TimeProvider timeProvider, Random random, TextWriter? log = null)
    {
        _time = timeProvider;
        _delay = new PreciseDelay(timeProvider);
        _random = random;
        _log = log is null ? TextWriter.Null : TextWriter.Synchronized(log);
        _expiryTimer = _time.CreateTimer(_ => RemoveExpiredToxics(), null, ExpiryCheckInterval, ExpiryCheckInterval);
    }

    /// <summary>Starts listening; a listen port of 0 binds an ephemeral port, which the returned Listen shows.</summary>
    /// <summary>
    /// Whether proxies may listen beyond loopback (<c>proxy serve --allow-remote-listen</c>). Off by default: a proxy
    /// on a public address would hand anyone who reaches it a path to the upstream.
    /// </summary>
    public bool AllowRemoteListen { get; init; }

    public ProxyInfo CreateProxy(string name, string listen, string upstream)
    {
        ProxyNames.Validate(name, "proxy");
        if (!HostPort.TryParseListen(listen, out IPEndPoint listenEndPoint, out string error))
        {
            throw new ProxyException(ProxyErrorKind.Invalid, $"proxy {name}: {error}");
        }

        if (!AllowRemoteListen && !IPAddress.IsLoopback(listenEndPoint.Address))
        {
            throw new ProxyException(ProxyErrorKind.Invalid,
                $"proxy {name}: listen address {listen} is not loopback; proxies listen on 127.0.0.1 or ::1 unless the server was started with --allow-remote-listen");
        }

        if (!HostPort.TryParseUpstream(upstream, out string host, out int port, out error))
        {
            throw new ProxyException(ProxyErrorKind.Invalid, $"proxy {name}: {error}");
        }

        EndPoint upstreamEndPoint = IPAddress.TryParse(host, out IPAddress? address)
            ? new IPEndPoint(address, port)
            : new DnsEndPoint(host, port);

        lock (_gate)
        {
            ThrowIfDisposed();
            if (_proxies.ContainsKey(name))
            {
                throw new ProxyException(ProxyErrorKind.Conflict, $"proxy '{name}' already exists");
            }

            var proxy = ProxyInstance.Start(name, listenEndPoint, upstream, upstreamEndPoint, _delay, NewRandom, Log);
            _proxies.Add(name, proxy);
            return proxy.ToInfo();
        }
    }

    /// <summary>Stops the listener and closes its open connections; false if there is no such proxy.</summary>
    public bool RemoveProxy(string name)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            if (!_proxies.Remove(name, out ProxyInstance? proxy))
            {
                return false;
            }

            _stopping.RemoveAll(t => t.IsCompleted);
            _stopping.Add(proxy.StopAsync());
            return true;
        }
    }

    public IReadOnlyList<ProxyInfo> GetProxies()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            return [.. _proxies.Values.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => p.ToInfo())];
        }
    }

    public ProxyInfo GetProxy(string name)
    {
        lock (_gate)
        {
            return Find(name).ToInfo();
        }
    }

    /// <summary>How many client connections the proxy holds open (bytes may still be on their way through it).</summary>
    public int OpenConnections(string proxyName)
    {
        lock (_gate)
        {
            return Find(proxyName).OpenConnections;
        }
    }

    public IReadOnlyList<ToxicInfo> GetToxics(string proxyName)
    {
        lock (_gate)
        {
            return [.. Find(proxyName).Toxics.Select(t => t.ToInfo())];
        }
    }

    /// <summary>Applies a toxic to open and new connections until removed or its TTL lapses without a heartbeat.</summary>
    public ToxicInfo AddToxic(string proxyName, ToxicSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ProxyNames.Validate(spec.Name, "toxic");
        ValidateTtl(spec.TtlMs);
        if (!Enum.IsDefined(spec.Stream))
        {
            throw new ProxyException(ProxyErrorKind.Invalid, $"toxic {spec.Name}: unknown stream {spec.Stream}; known streams: downstream, upstream");
        }

        IToxic behaviour = ToxicCatalog.Create(spec.Type, spec.Attributes, out IReadOnlyDictionary<string, double> attributes);
        var toxic = new ActiveToxic(spec.Name, spec.Type, spec.Stream, behaviour, attributes) { TtlMs = spec.TtlMs };
        lock (_gate)
        {
            ProxyInstance proxy = Find(proxyName);
            if (proxy.FindToxic(spec.Name) is not null)
            {
                throw new ProxyException(ProxyErrorKind.Conflict, $"proxy '{proxyName}' already has a toxic named '{spec.Name}'");
            }

            toxic.ExpiresAt = _time.GetUtcNow().AddMilliseconds(spec.TtlMs);
            proxy.AddToxic(toxic);
            return toxic.ToInfo();
        }
    }

    /// <summary>False if the proxy has no such toxic, which callers undoing an experiment treat as already undone.</summary>
    public bool RemoveToxic(string proxyName, string toxicName)
    {
        lock (_gate)
        {
            ProxyInstance proxy = Find(proxyName);
            ActiveToxic? toxic = proxy.FindToxic(toxicName);
            if (toxic is null)
            {
                return false;
            }

            proxy.RemoveToxic(toxic);
            return true;
        }
    }

    /// <summary>Renews a toxic's TTL from now, optionally with a new TTL; a toxic that has already lapsed is not revived.</summary>
    public ToxicInfo Heartbeat(string proxyName, string toxicName, long? ttlMs = null)
    {
        if (ttlMs is long requested)
        {
            ValidateTtl(requested);
        }

        lock (_gate)
        {
            ProxyInstance proxy = Find(proxyName);
            ActiveToxic toxic = proxy.FindToxic(toxicName)
                ?? throw new ProxyException(ProxyErrorKind.NotFound, $"proxy '{proxyName}' has no toxic named '{toxicName}'");
            DateTimeOffset now = _time.GetUtcNow();
            if (toxic.ExpiresAt <= now)
            {
                // The periodic check may not have run yet; the outcome must not depend on that race.
                proxy.RemoveToxic(toxic);
                Log($"proxy {proxyName}: toxic {toxicName} expired (TTL {toxic.TtlMs} ms without heartbeat), removed");
                throw new ProxyException(ProxyErrorKind.NotFound, $"toxic '{toxicName}' on proxy '{proxyName}' has expired and was removed");
            }

            toxic.TtlMs = ttlMs ?? toxic.TtlMs;
            toxic.ExpiresAt = now.AddMilliseconds(toxic.TtlMs);
            return toxic.ToInfo();
        }
    }

    /// <summary>Removes every toxic from every proxy; the proxies themselves stay.</summary>
    public void ResetAll()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            foreach (ProxyInstance proxy in _proxies.Values)
            {
                proxy.ClearToxics();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task[] stopping;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _expiryTimer.Dispose();
            foreach (ProxyInstance proxy in _proxies.Values)
            {
                _stopping.Add(proxy.StopAsync());
            }

            _proxies.Clear();
            stopping = [.. _stopping];
        }

        await Task.WhenAll(stopping).ConfigureAwait(false);
        _delay.Dispose();
    }

    private static void ValidateTtl(long ttlMs)
    {
        if (ttlMs is <= 0 or > MaxTtlMs)
        {
            throw new ProxyException(ProxyErrorKind.Invalid, $"ttlMs must be between 1 and {MaxTtlMs}, got {ttlMs}");
        }
    }

    private void RemoveExpiredToxics()
    {
        try
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                DateTimeOffset now = _time.GetUtcNow();
                foreach (ProxyInstance proxy in _proxies.Values)
                {
                    foreach (ActiveToxic toxic in proxy.Toxics.Where(t => t.ExpiresAt <= now).ToList())
                    {
                        proxy.RemoveToxic(toxic);
                        Log($"proxy {proxy.Name}: toxic {toxic.Name} expired (TTL {toxic.TtlMs} ms without heartbeat), removed");
                    }
                }
            }
        }
        catch (Exception e)
        {
            // An exception escaping a timer callback would take the whole process down, and with it every
            // proxy; the next tick tries again.
            Log($"expiry check failed: {e.Message}");
        }
    }

    private ProxyInstance Find(string name)
    {
        ThrowIfDisposed();
        return _proxies.TryGetValue(name, out ProxyInstance? proxy)
            ? proxy
            : throw new ProxyException(ProxyErrorKind.NotFound, $"no proxy named '{name}'");
    }

    private Random NewRandom()
    {
        lock (_random)
        {
            return new Random(_random.Next());
        }
    }

    private void Log(string message)
    {
        try
        {
            _log.WriteLine(message);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // A closed stderr must not stop the proxies from healing.
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
