using System.Net;
using System.Text;

namespace Simian.Reliability.Tests.Support;

/// <summary>
/// A tiny HTTP service on 127.0.0.1 whose answer the test decides (a status code per request path), so that
/// a steady-state probe measures exactly what the test means it to.
/// </summary>
public sealed class LoopbackSite : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<string, int> _status;
    private readonly Task _loop;

    public LoopbackSite(Func<string, int> status)
    {
        _status = status;
        for (var attempt = 0; ; attempt++)
        {
            Port = Wait.FreePort();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 10)
            {
            }
        }
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            try
            {
                var status = _status(context.Request.Url?.AbsolutePath ?? "/");
                var body = Encoding.UTF8.GetBytes(status + "\n");
                context.Response.StatusCode = status;
                context.Response.ContentLength64 = body.Length;
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
            {
            }
        }
    }

    public void Dispose()
    {
        try { _listener.Stop(); _listener.Close(); } catch (ObjectDisposedException) { }
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
