using System.Globalization;
using System.Net;
using System.Text;

namespace Simian.Sandbox.Site;

/// <summary>
/// The fleet's site: what a game day's probes watch offline. <c>GET /NAME</c> counts the service's instances that are
/// running and whose subnet is reachable, and answers 200 when at least the service's <c>minHealthy</c> are, 503
/// otherwise — so a zone outage shows whether the other zones carry the load. Nothing else is served.
/// </summary>
internal sealed class SiteServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly FleetSite _site;
    private readonly SandboxState _state;
    private readonly Task _loop;

    private SiteServer(HttpListener listener, int port, FleetSite site, SandboxState state)
    {
        (_listener, _site, _state) = (listener, site, state);
        Endpoint = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        _loop = Task.Run(LoopAsync);
    }

    public Uri Endpoint { get; }

    public static SiteServer Start(FleetSite site, SandboxState state, Func<int, (HttpListener, int)> listen)
    {
        var (listener, port) = listen(site.Port);
        return new SiteServer(listener, port, site, state);
    }

    /// <summary>The service's healthy instances now, and how many it needs.</summary>
    public (int Healthy, int Needed)? Health(string name)
    {
        if (!_site.Services.TryGetValue(name, out var service)) return null;
        var healthy = _state.Instances().Count(i =>
            i.State == "running" && i.Tags.TryGetValue(service.TagKey, out var v) && v == service.TagValue && _state.SubnetReachable(i.SubnetId));
        return (healthy, service.MinHealthy);
    }

    private async Task LoopAsync()
    {
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            Answer(context);
        }
    }

    private void Answer(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var name = context.Request.Url?.AbsolutePath.Trim('/') ?? "";
            var (status, text) = context.Request.HttpMethod is not ("GET" or "HEAD")
                ? (405, "only GET and HEAD\n")
                : Health(name) is not { } health
                    ? (404, $"no service '{name}'; the site serves: {string.Join(", ", _site.Services.Keys)}\n")
                    : health.Healthy >= health.Needed
                        ? (200, $"{name}: {health.Healthy} healthy, {health.Needed} needed\n")
                        : (503, $"{name}: {health.Healthy} healthy, {health.Needed} needed\n");
            var body = Encoding.UTF8.GetBytes(text);
            response.StatusCode = status;
            response.ContentType = "text/plain; charset=utf-8";
            response.ContentLength64 = body.Length;
            if (context.Request.HttpMethod != "HEAD") response.OutputStream.Write(body);
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The probe hung up; nothing to answer.
        }
        finally
        {
            try
            {
                response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _listener.Stop();
            _listener.Close();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
        {
        }

        await _loop.ConfigureAwait(false);
    }
}
