using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Simian.Proxy;

/// <summary>HTTP/1.1 JSON control API over a ProxyServer, bound to loopback only.</summary>
public sealed class ProxyControlServer : IAsyncDisposable
{
    private const int MaxBodyBytes = 64 * 1024;
    private const int PortAttempts = 5;

    private readonly ProxyServer _proxies;
    private readonly IPEndPoint _endPoint;
    private readonly TextWriter _log;
    private readonly byte[]? _token;
    private HttpListener? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private volatile bool _stopping;

    /// <param name="address">host:port on loopback; port 0 picks a free port. Anything else throws ArgumentException.</param>
    /// <param name="token">When set, every request must carry <c>Authorization: Bearer &lt;token&gt;</c>.</param>
    public ProxyControlServer(ProxyServer proxies, string address, TextWriter? log = null, string? token = null)
    {
        _proxies = proxies;
        _endPoint = ControlAddress.Parse(address);
        _log = log is null ? TextWriter.Null : TextWriter.Synchronized(log);
        _token = string.IsNullOrEmpty(token) ? null : System.Text.Encoding.UTF8.GetBytes("Bearer " + token);
    }

    /// <summary>
    /// Why a request is refused before it reaches an endpoint, or null. The API is reachable from any web page the
    /// operator has open (loopback is not a boundary for a browser): a cross-site request is recognised by its
    /// Origin or Sec-Fetch-Site header, and a body that is not JSON is one a page can send without asking (a
    /// "simple" request), so both are 403. A token, when set, is required of everyone.
    /// </summary>
    private (int Status, string Message)? Refusal(HttpListenerRequest request)
    {
        if (_token is not null)
        {
            var given = System.Text.Encoding.UTF8.GetBytes(request.Headers["Authorization"] ?? "");
            if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(given, _token))
            {
                return (401, "this control API needs its token: Authorization: Bearer <token>");
            }
        }

        if (request.Headers["Origin"] is { } origin && !IsOwnOrigin(origin))
        {
            return (403, $"cross-site requests are refused (Origin {origin})");
        }

        if (request.Headers["Sec-Fetch-Site"] is { } site && site is not ("same-origin" or "none"))
        {
            return (403, $"cross-site requests are refused (Sec-Fetch-Site {site})");
        }

        if (request.HasEntityBody && !IsJson(request.ContentType))
        {
            return (403, $"a request body must be application/json, not '{request.ContentType}'");
        }

        return null;
    }

    private bool IsOwnOrigin(string origin)
    {
        if (BaseAddress is null || !Uri.TryCreate(origin, UriKind.Absolute, out var o) || o.Scheme != "http" || o.Port != BaseAddress.Port)
        {
            return false;
        }

        return o.Host == BaseAddress.Host || o.Host == "localhost";
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null && contentType.Split(';')[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase);

    /// <summary>Where the API is served, such as http://127.0.0.1:8474/; set by Start.</summary>
    public Uri? BaseAddress { get; private set; }

    /// <summary>Starts serving; throws ProxyException (Conflict) if the port is taken.</summary>
    public Uri Start()
    {
        if (_listener is not null)
        {
            throw new InvalidOperationException("the control API is already started");
        }

        string host = _endPoint.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{_endPoint.Address}]" : _endPoint.Address.ToString();
        for (int attempt = 1; ; attempt++)
        {
            // HttpListener cannot bind port 0, so a free port is found first; another process may take it in
            // between, hence the retries.
            int port = _endPoint.Port != 0 ? _endPoint.Port : FindFreePort(_endPoint.Address);
            var baseAddress = new Uri($"http://{host}:{port}/");

            // HttpListener routes by Host header, so http://localhost:port would be a 404 without a localhost
            // prefix. That prefix makes it also bind the first address localhost resolves to (::1 on some
            // machines); where that cannot be bound, the API is served under the IP address alone.
            HttpListenerException? error = null;
            HttpListener? listener = (LocalhostIsLoopback() ? TryListen(baseAddress, withLocalhost: true, out _) : null)
                ?? TryListen(baseAddress, withLocalhost: false, out error);
            if (listener is null)
            {
                if (_endPoint.Port == 0 && attempt < PortAttempts)
                {
                    continue;
                }

                throw new ProxyException(ProxyErrorKind.Conflict, $"control API cannot listen on {host}:{port}: {error!.Message}", error);
            }

            _listener = listener;
            BaseAddress = baseAddress;
            _acceptLoop = AcceptLoopAsync(listener);
            return baseAddress;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        if (_listener is { } listener)
        {
            // The managed listener can throw "Address already in use" while unregistering a port another listener
            // has just taken; closing must not fail the caller.
            try { listener.Close(); } catch (HttpListenerException) { }
            await _acceptLoop.ConfigureAwait(false);
        }
    }

    private static HttpListener? TryListen(Uri baseAddress, bool withLocalhost, out HttpListenerException? error)
    {
        var prefixes = new List<string> { baseAddress.ToString() };
        if (withLocalhost)
        {
            prefixes.Add($"http://localhost:{baseAddress.Port}/");
        }

        try
        {
            error = null;
            return Simian.Shared.HttpListenerStarter.Start(prefixes);
        }
        catch (HttpListenerException e)
        {
            error = e;
            return null;
        }
    }

    // The same lookup HttpListener makes for a localhost prefix: a hosts file mapping localhost elsewhere must not
    // widen the API beyond this machine.
    private static bool LocalhostIsLoopback()
    {
        try
        {
            IPAddress[] addresses = Dns.GetHostAddresses("localhost");
            return addresses.Length > 0 && IPAddress.IsLoopback(addresses[0]);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FindFreePort(IPAddress address)
    {
        using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static int StatusFor(ProxyErrorKind kind) => kind switch
    {
        ProxyErrorKind.NotFound => 404,
        ProxyErrorKind.Conflict => 409,
        _ => 400,
    };

    private static ProxyException BadRequest(string message) => new(ProxyErrorKind.Invalid, message);

    private static async Task<T?> ReadBodyAsync<T>(HttpListenerRequest request, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        if (!request.HasEntityBody)
        {
            return null;
        }

        using var body = new MemoryStream();
        byte[] buffer = new byte[8192];
        int read;
        while ((read = await request.InputStream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            if (body.Length + read > MaxBodyBytes)
            {
                throw BadRequest($"request body is larger than {MaxBodyBytes} bytes");
            }

            body.Write(buffer, 0, read);
        }

        if (body.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(body.GetBuffer().AsSpan(0, (int)body.Length), typeInfo);
        }
        catch (JsonException e)
        {
            throw BadRequest($"request body is not valid JSON for this endpoint: {e.Message}");
        }
    }

    private static async Task WriteJsonAsync<T>(HttpListenerResponse response, int status, T value, JsonTypeInfo<T> typeInfo)
    {
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body).ConfigureAwait(false);
    }

    private static void WriteNoContent(HttpListenerResponse response) => response.StatusCode = 204;

    private static Task WriteErrorAsync(HttpListenerResponse response, int status, string message) =>
        WriteJsonAsync(response, status, new ErrorResponse(message), ControlJsonContext.Default.ErrorResponse);

    private static ToxicStream ParseStream(string? stream) => stream?.ToLowerInvariant() switch
    {
        null or "downstream" => ToxicStream.Downstream,
        "upstream" => ToxicStream.Upstream,
        _ => throw BadRequest($"unknown stream '{stream}'; known streams: downstream, upstream"),
    };

    private async Task AcceptLoopAsync(HttpListener listener)
    {
        while (!_stopping)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception) when (_stopping)
            {
                return;
            }
            catch (Exception e)
            {
                Log($"control API: accept failed: {e.Message}");
                if (!listener.IsListening)
                {
                    // Nothing more can arrive; retrying would only spin. The process keeps its proxies.
                    Log("control API: stopped serving");
                    return;
                }

                continue;
            }

            _ = HandleAsync(context);
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        HttpListenerResponse response = context.Response;
        try
        {
            try
            {
                if (Refusal(context.Request) is { } refused)
                {
                    Log($"control API: refused {context.Request.HttpMethod} {context.Request.Url?.AbsolutePath}: {refused.Message}");
                    await WriteErrorAsync(response, refused.Status, refused.Message).ConfigureAwait(false);
                    return;
                }

                await DispatchAsync(context.Request, response).ConfigureAwait(false);
            }
            catch (ProxyException e)
            {
                await WriteErrorAsync(response, StatusFor(e.Kind), e.Message).ConfigureAwait(false);
            }
            catch (ObjectDisposedException) when (_stopping)
            {
                await WriteErrorAsync(response, 503, "the proxy server is shutting down").ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Log($"control API: {context.Request.HttpMethod} {context.Request.Url?.AbsolutePath} failed: {e}");
                await WriteErrorAsync(response, 500, $"internal error: {e.Message}").ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            // The client went away or the response was already under way; nothing more can be told to it.
            Log($"control API: could not send a response: {e.Message}");
        }
        finally
        {
            try
            {
                response.Close();
            }
            catch (Exception)
            {
                // Closing a response whose connection is already gone can throw; the request is over either way.
            }
        }
    }

    private async Task DispatchAsync(HttpListenerRequest request, HttpListenerResponse response)
    {
        string[] path = [.. (request.Url?.AbsolutePath ?? "/").Trim('/').Split('/').Select(Uri.UnescapeDataString)];
        string method = request.HttpMethod;
        switch (path)
        {
            case ["health"] when method == "GET":
                await WriteJsonAsync(response, 200, new HealthResponse("ok"), ControlJsonContext.Default.HealthResponse).ConfigureAwait(false);
                return;

            case ["reset"] when method == "POST":
                _proxies.ResetAll();
                WriteNoContent(response);
                return;

            case ["proxies"] when method == "GET":
                await WriteJsonAsync(response, 200, new ProxyListResponse(_proxies.GetProxies()), ControlJsonContext.Default.ProxyListResponse).ConfigureAwait(false);
                return;

            case ["proxies"] when method == "POST":
                await CreateProxyAsync(request, response).ConfigureAwait(false);
                return;

            case ["proxies", string name] when method == "GET":
                await WriteJsonAsync(response, 200, _proxies.GetProxy(name), ControlJsonContext.Default.ProxyInfo).ConfigureAwait(false);
                return;

            case ["proxies", string name] when method == "DELETE":
                if (!_proxies.RemoveProxy(name))
                {
                    throw new ProxyException(ProxyErrorKind.NotFound, $"no proxy named '{name}'");
                }

                WriteNoContent(response);
                return;

            case ["proxies", string name, "toxics"] when method == "GET":
                await WriteJsonAsync(response, 200, new ToxicListResponse(_proxies.GetToxics(name)), ControlJsonContext.Default.ToxicListResponse).ConfigureAwait(false);
                return;

            case ["proxies", string name, "toxics"] when method == "POST":
                await AddToxicAsync(name, request, response).ConfigureAwait(false);
                return;

            case ["proxies", string name, "toxics", string toxic] when method == "GET":
                ToxicInfo found = _proxies.GetToxics(name).FirstOrDefault(t => t.Name == toxic)
                    ?? throw new ProxyException(ProxyErrorKind.NotFound, $"proxy '{name}' has no toxic named '{toxic}'");
                await WriteJsonAsync(response, 200, found, ControlJsonContext.Default.ToxicInfo).ConfigureAwait(false);
                return;

            case ["proxies", string name, "toxics", string toxic] when method == "DELETE":
                if (!_proxies.RemoveToxic(name, toxic))
                {
                    throw new ProxyException(ProxyErrorKind.NotFound, $"proxy '{name}' has no toxic named '{toxic}'");
                }

                WriteNoContent(response);
                return;

            case ["proxies", string name, "toxics", string toxic, "heartbeat"] when method == "POST":
                HeartbeatRequest? heartbeat = await ReadBodyAsync(request, ControlJsonContext.Default.HeartbeatRequest).ConfigureAwait(false);
                ToxicInfo renewed = _proxies.Heartbeat(name, toxic, heartbeat?.TtlMs);
                await WriteJsonAsync(response, 200, renewed, ControlJsonContext.Default.ToxicInfo).ConfigureAwait(false);
                return;

            default:
                if (AllowedMethods(path) is { } allowed)
                {
                    response.AddHeader("Allow", allowed);
                    await WriteErrorAsync(response, 405, $"{method} is not allowed on {request.Url?.AbsolutePath}; allowed: {allowed}").ConfigureAwait(false);
                    return;
                }

                await WriteErrorAsync(response, 404, $"no endpoint at {request.Url?.AbsolutePath}").ConfigureAwait(false);
                return;
        }
    }

    private static string? AllowedMethods(string[] path) => path switch
    {
        ["health"] => "GET",
        ["reset"] => "POST",
        ["proxies"] or ["proxies", _, "toxics"] => "GET, POST",
        ["proxies", _] or ["proxies", _, "toxics", _] => "GET, DELETE",
        ["proxies", _, "toxics", _, "heartbeat"] => "POST",
        _ => null,
    };

    private async Task CreateProxyAsync(HttpListenerRequest request, HttpListenerResponse response)
    {
        CreateProxyRequest body = await ReadBodyAsync(request, ControlJsonContext.Default.CreateProxyRequest).ConfigureAwait(false)
            ?? throw BadRequest("request body is required: {\"name\", \"listen\", \"upstream\"}");
        ProxyInfo created = _proxies.CreateProxy(body.Name!, body.Listen!, body.Upstream!);
        response.AddHeader("Location", $"/proxies/{Uri.EscapeDataString(created.Name)}");
        await WriteJsonAsync(response, 201, created, ControlJsonContext.Default.ProxyInfo).ConfigureAwait(false);
    }

    private async Task AddToxicAsync(string proxyName, HttpListenerRequest request, HttpListenerResponse response)
    {
        AddToxicRequest body = await ReadBodyAsync(request, ControlJsonContext.Default.AddToxicRequest).ConfigureAwait(false)
            ?? throw BadRequest("request body is required: {\"name\", \"type\", \"stream\", \"ttlMs\", \"attributes\"}");
        if (body.TtlMs is not long ttlMs)
        {
            throw BadRequest("ttlMs is required: every toxic must lapse on its own unless renewed by heartbeats");
        }

        var spec = new ToxicSpec(body.Name!, body.Type!, ParseStream(body.Stream), ttlMs, body.Attributes);
        ToxicInfo added = _proxies.AddToxic(proxyName, spec);
        await WriteJsonAsync(response, 201, added, ControlJsonContext.Default.ToxicInfo).ConfigureAwait(false);
    }

    private void Log(string message)
    {
        try
        {
            _log.WriteLine(message);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // Logging is best effort; the API keeps serving.
        }
    }
}
