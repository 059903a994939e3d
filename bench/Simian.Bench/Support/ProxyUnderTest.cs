using System.Net;
using Simian.Proxy;

namespace Simian.Bench.Support;

/// <summary>
/// <c>simian proxy serve</c> as its own process (so its memory is its own in /proc), with one proxy created
/// through the control API in front of the given upstream.
/// </summary>
public sealed class ProxyUnderTest : IAsyncDisposable
{
    public const string ProxyName = "bench";

    private readonly HttpClient _http;

    private ProxyUnderTest(ChildProcess process, HttpClient http, ProxyControlClient control, string controlUrl, IPEndPoint listen)
    {
        ControlUrl = controlUrl;
        Process = process;
        _http = http;
        Control = control;
        Listen = listen;
    }

    public ChildProcess Process { get; }

    public ProxyControlClient Control { get; }

    /// <summary>The control API's base URL, as a profile's proxyControl takes it.</summary>
    public string ControlUrl { get; }

    /// <summary>Where clients connect to go through the proxy.</summary>
    public IPEndPoint Listen { get; }

    public static async Task<ProxyUnderTest> StartAsync(string simian, string upstream)
    {
        var port = Loopback.FreePort();
        var process = ChildProcess.Start(simian, ["proxy", "serve", "--control", $"127.0.0.1:{port}"]);
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var control = new ProxyControlClient(http, new Uri($"http://127.0.0.1:{port}/"));
        try
        {
            await WaitHealthyAsync(process, control).ConfigureAwait(false);
            var info = await control.CreateProxyAsync(ProxyName, "127.0.0.1:0", upstream).ConfigureAwait(false);
            return new ProxyUnderTest(process, http, control, $"http://127.0.0.1:{port}", Loopback.Parse(info.Listen));
        }
        catch
        {
            await process.DisposeAsync().ConfigureAwait(false);
            http.Dispose();
            throw;
        }
    }

    /// <summary>Another proxy on the same server, for benchmarks that need two upstreams.</summary>
    public async Task<IPEndPoint> CreateAsync(string name, string upstream) =>
        Loopback.Parse((await Control.CreateProxyAsync(name, "127.0.0.1:0", upstream).ConfigureAwait(false)).Listen);

    public Task AddLatencyAsync(string name, double delayMs, double jitterMs) =>
        Control.AddToxicAsync(ProxyName, new ToxicSpec(name, "latency", ToxicStream.Downstream, TtlMs: 30 * 60 * 1000,
            new Dictionary<string, double> { ["delayMs"] = delayMs, ["jitterMs"] = jitterMs }));

    public Task RemoveToxicAsync(string name) => Control.RemoveToxicAsync(ProxyName, name);

    public async ValueTask DisposeAsync()
    {
        var code = await Process.StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        await Process.DisposeAsync().ConfigureAwait(false);
        _http.Dispose();
        if (code is not 0)
        {
            Console.Error.WriteLine($"warning: the proxy process ended with {(code is null ? "SIGKILL" : "exit code " + code)}\n{Process.Describe()}");
        }
    }

    private static async Task WaitHealthyAsync(ChildProcess process, ProxyControlClient control)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (process.Process.HasExited)
            {
                throw new BenchFailedException($"simian proxy serve exited with {process.Process.ExitCode}\n{process.Describe()}");
            }

            try
            {
                if (await control.GetHealthAsync().ConfigureAwait(false) == "ok")
                {
                    return;
                }
            }
            catch (ProxyControlException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new BenchFailedException($"simian proxy serve did not become healthy within 60 s\n{process.Describe()}");
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }
}
