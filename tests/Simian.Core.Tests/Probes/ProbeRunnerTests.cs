using System.Net;
using Microsoft.Extensions.Time.Testing;
using Simian.Core.Probes;
using Simian.Core.Profiles;
using Simian.Core.Tests.Fakes;

namespace Simian.Core.Tests.Probes;

public sealed class ProbeRunnerTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch);

    public void Dispose() => _dir.Dispose();

    private ProbeRunner Runner(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) =>
        new(new HttpClient(new ScriptedHandler(answer)), _time);

    private static HttpProbeSpec Http(int expect = 200, TimeSpan? maxLatency = null) =>
        new("api", "http://127.0.0.1:1/health?token=s3cret", expect, TimeSpan.FromSeconds(5), maxLatency, "GET");

    private CommandProbeSpec Command(string run, int expectExit = 0, int timeoutMs = 5000) =>
        new("cmd", run, expectExit, TimeSpan.FromMilliseconds(timeoutMs), _dir.Path);

    [Fact]
    public async Task Http_probe_passes_on_the_expected_status_in_time()
    {
        var result = await Runner((_, _) => { _time.Advance(TimeSpan.FromMilliseconds(40)); return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)); })
            .RunAsync(Http(maxLatency: TimeSpan.FromMilliseconds(250)), CancellationToken.None);

        Assert.True(result.Ok, result.Detail);
        Assert.Equal(("api", TimeSpan.FromMilliseconds(40), "status 200 in 40ms"), (result.Probe, result.Latency, result.Detail));
    }

    [Fact]
    public async Task Http_probe_fails_on_another_status()
    {
        var result = await Runner((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable))).RunAsync(Http(), CancellationToken.None);

        Assert.False(result.Ok);
        Assert.StartsWith("status 503, expected 200", result.Detail);
    }

    [Fact]
    public async Task Http_probe_fails_when_slower_than_max_latency()
    {
        var result = await Runner((_, _) => { _time.Advance(TimeSpan.FromMilliseconds(300)); return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)); })
            .RunAsync(Http(maxLatency: TimeSpan.FromMilliseconds(250)), CancellationToken.None);

        Assert.False(result.Ok);
        Assert.Equal("status 200 but took 300ms, more than 250ms", result.Detail);
    }

    [Fact]
    public async Task Http_probe_failure_is_a_result_with_secrets_masked()
    {
        var result = await Runner((_, _) => throw new HttpRequestException("connection refused (http://u:pw@127.0.0.1/?token=s3cret)"))
            .RunAsync(Http(), CancellationToken.None);

        Assert.False(result.Ok);
        Assert.StartsWith("request failed: connection refused", result.Detail);
        Assert.DoesNotContain("s3cret", result.Detail);
        Assert.DoesNotContain("pw", result.Detail);
    }

    [Fact]
    public async Task Command_probe_passes_on_the_expected_exit_code_in_the_profile_directory()
    {
        File.WriteAllText(Path.Combine(_dir.Path, "marker"), "");

        var result = await new ProbeRunner(new HttpClient(), TimeProvider.System).RunAsync(Command("test -f marker"), CancellationToken.None);

        Assert.True(result.Ok, result.Detail);
    }

    [Fact]
    public async Task Command_probe_fails_on_another_exit_code_and_shows_the_output_tail()
    {
        var result = await new ProbeRunner(new HttpClient(), TimeProvider.System).RunAsync(Command("echo queue backed up >&2; exit 3"), CancellationToken.None);

        Assert.False(result.Ok);
        Assert.Equal("exit 3, expected 0: queue backed up", result.Detail);
    }

    [Fact]
    public async Task Command_probe_that_hangs_is_killed_at_its_timeout()
    {
        var result = await new ProbeRunner(new HttpClient(), TimeProvider.System).RunAsync(Command("sleep 30", timeoutMs: 200), CancellationToken.None);

        Assert.False(result.Ok);
        Assert.Equal("did not finish within 200ms", result.Detail);
        Assert.True(result.Latency < TimeSpan.FromSeconds(10), result.Latency.ToString());
    }

    private sealed class ScriptedHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => answer(request, cancellationToken);
    }

    [Fact]
    public async Task A_command_that_prints_megabytes_keeps_only_a_bounded_tail()
    {
        // 8 MB of output, then a recognisable last line: read to the end, only the last 64 KiB kept.
        var result = await new ProbeRunner(new HttpClient(), TimeProvider.System)
            .RunAsync(Command("head -c 8000000 /dev/zero | tr '\\0' x; echo; echo the-last-line; exit 3"), CancellationToken.None);

        Assert.False(result.Ok);
        Assert.EndsWith("the-last-line", result.Detail);
        Assert.True(result.Detail.Length < 400, result.Detail.Length.ToString());
    }

    [Fact]
    public async Task An_http_answer_without_end_costs_the_probe_its_timeout_and_nothing_more()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var serving = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            await socket.ReceiveAsync(new byte[4096]);
            await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n"u8.ToArray());
            var filler = new byte[64 * 1024];
            try
            {
                // The token matters: once the probe stops reading, a send blocks until the socket is closed.
                while (!stop.IsCancellationRequested) await socket.SendAsync(filler, System.Net.Sockets.SocketFlags.None, stop.Token);
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
            {
            }
        });
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var probe = new HttpProbeSpec("endless", $"http://127.0.0.1:{port}/", 200, TimeSpan.FromSeconds(1), null, "GET");
        var before = GC.GetTotalMemory(forceFullCollection: true);

        var result = await new ProbeRunner(new HttpClient(new SocketsHttpHandler { UseProxy = false }), TimeProvider.System).RunAsync(probe, CancellationToken.None);

        stop.Cancel();
        Assert.False(result.Ok);
        Assert.Contains("no answer within 1s", result.Detail);
        Assert.True(GC.GetTotalMemory(forceFullCollection: true) - before < 32 * 1024 * 1024, "the body was kept");
        await serving.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
