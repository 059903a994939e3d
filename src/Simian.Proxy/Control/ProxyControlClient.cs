using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Simian.Proxy;

/// <summary>Typed client for the proxy control API; every failure surfaces as a ProxyControlException.</summary>
public sealed class ProxyControlClient
{
    private readonly HttpClient _http;
    private readonly Uri _baseAddress;
    private readonly TimeSpan _timeout;
    private readonly string? _token;

    /// <param name="httpClient">Owned by the caller.</param>
    /// <param name="baseAddress">Such as http://127.0.0.1:8474/.</param>
    /// <param name="timeout">For each call, answer and body together (default 10 s): a server that accepts and never answers cannot hang a run.</param>
    /// <param name="token">Sent as <c>Authorization: Bearer</c> when the server requires one.</param>
    public ProxyControlClient(HttpClient httpClient, Uri baseAddress, TimeSpan? timeout = null, string? token = null)
    {
        _http = httpClient;
        _timeout = timeout ?? TimeSpan.FromSeconds(10);
        _token = string.IsNullOrEmpty(token) ? null : token;

        // Without the trailing slash, relative paths would replace the last segment of the base instead of extending it.
        _baseAddress = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
    }

    /// <summary>The server's status, "ok" when it is serving.</summary>
    public async Task<string> GetHealthAsync(CancellationToken cancellationToken = default)
    {
        HealthResponse health = await SendAsync(HttpMethod.Get, "health", null, ControlJsonContext.Default.HealthResponse, cancellationToken).ConfigureAwait(false);
        return health.Status;
    }

    public async Task<IReadOnlyList<ProxyInfo>> GetProxiesAsync(CancellationToken cancellationToken = default)
    {
        ProxyListResponse list = await SendAsync(HttpMethod.Get, "proxies", null, ControlJsonContext.Default.ProxyListResponse, cancellationToken).ConfigureAwait(false);
        return list.Proxies;
    }

    public Task<ProxyInfo> GetProxyAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, ProxyPath(name), null, ControlJsonContext.Default.ProxyInfo, cancellationToken);

    /// <summary>Creates a proxy; a listen port of 0 is replaced by the bound port in the result.</summary>
    public Task<ProxyInfo> CreateProxyAsync(string name, string listen, string upstream, CancellationToken cancellationToken = default)
    {
        var content = JsonContent.Create(new CreateProxyRequest(name, listen, upstream), ControlJsonContext.Default.CreateProxyRequest);
        return SendAsync(HttpMethod.Post, "proxies", content, ControlJsonContext.Default.ProxyInfo, cancellationToken);
    }

    public Task RemoveProxyAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, ProxyPath(name), null, cancellationToken);

    public async Task<IReadOnlyList<ToxicInfo>> GetToxicsAsync(string proxyName, CancellationToken cancellationToken = default)
    {
        ToxicListResponse list = await SendAsync(HttpMethod.Get, ToxicsPath(proxyName), null, ControlJsonContext.Default.ToxicListResponse, cancellationToken).ConfigureAwait(false);
        return list.Toxics;
    }

    public Task<ToxicInfo> AddToxicAsync(string proxyName, ToxicSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string stream = spec.Stream == ToxicStream.Upstream ? "upstream" : "downstream";
        Dictionary<string, double>? attributes = spec.Attributes?.ToDictionary(StringComparer.Ordinal);
        var request = new AddToxicRequest(spec.Name, spec.Type, stream, spec.TtlMs, attributes);
        var content = JsonContent.Create(request, ControlJsonContext.Default.AddToxicRequest);
        return SendAsync(HttpMethod.Post, ToxicsPath(proxyName), content, ControlJsonContext.Default.ToxicInfo, cancellationToken);
    }

    /// <summary>False when the toxic (or its proxy) is already gone, which an undo treats as done.</summary>
    public async Task<bool> RemoveToxicAsync(string proxyName, string toxicName, CancellationToken cancellationToken = default)
    {
        try
        {
            await SendAsync(HttpMethod.Delete, ToxicPath(proxyName, toxicName), null, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ProxyControlException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>Renews the toxic's TTL from now (optionally changing it) and returns the new expiry.</summary>
    public Task<ToxicInfo> HeartbeatAsync(string proxyName, string toxicName, long? ttlMs = null, CancellationToken cancellationToken = default)
    {
        HttpContent? content = ttlMs is null ? null : JsonContent.Create(new HeartbeatRequest(ttlMs), ControlJsonContext.Default.HeartbeatRequest);
        return SendAsync(HttpMethod.Post, ToxicPath(proxyName, toxicName) + "/heartbeat", content, ControlJsonContext.Default.ToxicInfo, cancellationToken);
    }

    /// <summary>Removes every toxic on every proxy.</summary>
    public Task ResetAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "reset", null, cancellationToken);

    private static string ProxyPath(string name) => "proxies/" + Uri.EscapeDataString(name);

    private static string ToxicsPath(string proxyName) => ProxyPath(proxyName) + "/toxics";

    private static string ToxicPath(string proxyName, string toxicName) => ToxicsPath(proxyName) + "/" + Uri.EscapeDataString(toxicName);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            using HttpResponseMessage response = await SendCheckedAsync(method, path, content, timeout.Token).ConfigureAwait(false);
            try
            {
                var body = await ReadBoundedAsync(response, MaxResponseBytes, timeout.Token).ConfigureAwait(false)
                    ?? throw new ProxyControlException(response.StatusCode, $"{method} {path}: the response is larger than {MaxResponseBytes} bytes");
                return JsonSerializer.Deserialize(body, typeInfo)
                    ?? throw new ProxyControlException(response.StatusCode, $"{method} {path}: the response body was empty");
            }
            catch (JsonException e)
            {
                throw new ProxyControlException(response.StatusCode, $"{method} {path}: the response was not the expected JSON: {e.Message}", e);
            }
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(method, path, e);
        }
    }

    private async Task SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            using HttpResponseMessage response = await SendCheckedAsync(method, path, content, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(method, path, e);
        }
    }

    private ProxyControlException TimedOut(HttpMethod method, string path, Exception e) =>
        new(null, $"the proxy control API at {_baseAddress} did not answer {method} {path} within {_timeout.TotalSeconds:0.#}s", e);

    private async Task<HttpResponseMessage> SendCheckedAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(_baseAddress, path)) { Content = content };
        if (_token is not null) request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + _token);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new ProxyControlException(null, $"cannot reach the proxy control API at {_baseAddress}: {e.Message}", e);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            string message = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
            throw new ProxyControlException(response.StatusCode, message);
        }
    }

    /// <summary>Largest answer the client reads: a control API that streams without end cannot eat memory.</summary>
    public const int MaxResponseBytes = 4 * 1024 * 1024;

    /// <summary>The body, or null when it is longer than <paramref name="limit"/>.</summary>
    private static async Task<byte[]?> ReadBoundedAsync(HttpResponseMessage response, int limit, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > limit) return null;
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static async Task<string> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var bytes = await ReadBoundedAsync(response, 64 * 1024, cancellationToken).ConfigureAwait(false);
        string body = bytes is null ? $"(an error body larger than 64 KiB)" : System.Text.Encoding.UTF8.GetString(bytes);
        try
        {
            if (JsonSerializer.Deserialize(body, ControlJsonContext.Default.ErrorResponse)?.Error is { Length: > 0 } error)
            {
                return error;
            }
        }
        catch (JsonException)
        {
            // Not our server's error shape (a different service on the port?); show what it said instead.
        }

        return body.Length > 0 ? body : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
    }
}
