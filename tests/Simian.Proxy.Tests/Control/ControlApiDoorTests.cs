using System.Net;
using System.Text;

namespace Simian.Proxy.Tests;

/// <summary>
/// The control API is not a door (issue 11): any web page the operator visits can reach loopback, so a cross-site
/// request or a non-JSON body is refused; a token, when set, is required; proxies listen on loopback only.
/// Before the fix a page could POST a 24-hour blackhole with a text/plain "simple" request.
/// </summary>
public sealed class ControlApiDoorTests : IAsyncDisposable
{
    private readonly ProxyServer _server = new(TimeProvider.System, new Random(1));
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
    }

    private static HttpRequestMessage CreateProxy(Uri api, string listen, string contentType = "application/json") => new(HttpMethod.Post, new Uri(api, "proxies"))
    {
        Content = new StringContent($$"""{"name":"px","listen":"{{listen}}","upstream":"127.0.0.1:9"}""", Encoding.UTF8, contentType),
    };

    [Fact]
    public async Task A_cross_site_request_from_a_web_page_is_refused_with_403()
    {
        await using var control = new ProxyControlServer(_server, "127.0.0.1:0");
        var api = control.Start();
        using var fromPage = CreateProxy(api, "127.0.0.1:0");
        fromPage.Headers.Add("Origin", "http://attacker.example");

        using var response = await _http.SendAsync(fromPage);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(_server.GetProxies());
    }

    [Fact]
    public async Task A_fetch_metadata_cross_site_request_is_refused_even_without_origin()
    {
        await using var control = new ProxyControlServer(_server, "127.0.0.1:0");
        var api = control.Start();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(api, "reset"));
        request.Headers.Add("Sec-Fetch-Site", "cross-site");

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_text_plain_body_a_page_can_send_without_preflight_is_refused()
    {
        await using var control = new ProxyControlServer(_server, "127.0.0.1:0");
        var api = control.Start();

        using var response = await _http.SendAsync(CreateProxy(api, "127.0.0.1:0", "text/plain"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(_server.GetProxies());
    }

    [Fact]
    public async Task The_apis_own_origin_and_plain_clients_are_served()
    {
        await using var control = new ProxyControlServer(_server, "127.0.0.1:0");
        var api = control.Start();
        using var own = CreateProxy(api, "127.0.0.1:0");
        own.Headers.Add("Origin", $"http://127.0.0.1:{api.Port}");

        using var response = await _http.SendAsync(own);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task With_a_token_every_request_must_carry_it_and_the_client_sends_it()
    {
        await using var control = new ProxyControlServer(_server, "127.0.0.1:0", token: "s3cret-token");
        var api = control.Start();

        using var none = await _http.GetAsync(new Uri(api, "health"));
        using var wrong = new HttpRequestMessage(HttpMethod.Get, new Uri(api, "health"));
        wrong.Headers.Add("Authorization", "Bearer not-it");
        using var wrongResponse = await _http.SendAsync(wrong);

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongResponse.StatusCode);
        Assert.Equal("ok", await new ProxyControlClient(_http, api, token: "s3cret-token").GetHealthAsync());
        var refused = await Assert.ThrowsAsync<ProxyControlException>(() => new ProxyControlClient(_http, api).GetHealthAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Theory]
    [InlineData("0.0.0.0:0")]
    [InlineData("[::]:0")]
    public async Task A_proxy_may_not_listen_beyond_loopback_unless_the_server_allows_it(string listen)
    {
        await using var control = new ProxyControlServer(_server, "127.0.0.1:0");
        var api = control.Start();

        using var response = await _http.SendAsync(CreateProxy(api, listen));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("is not loopback", await response.Content.ReadAsStringAsync());
        Assert.Contains("is not loopback", Assert.Throws<ProxyException>(() => _server.CreateProxy("direct", listen, "127.0.0.1:9")).Message);
    }

    [Fact]
    public async Task A_control_api_that_answers_without_end_is_cut_off()
    {
        // A "control API" that streams a never-ending body: the client stops at its cap instead of eating memory.
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serving = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            var buffer = new byte[4096];
            await socket.ReceiveAsync(buffer);
            await socket.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"proxies\":["));
            var filler = Encoding.ASCII.GetBytes(new string(' ', 64 * 1024));
            try
            {
                for (var i = 0; i < 200; i++) await socket.SendAsync(filler);
            }
            catch (System.Net.Sockets.SocketException)
            {
                // The client hung up, as it should.
            }
        });
        var client = new ProxyControlClient(_http, new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/"));

        var error = await Assert.ThrowsAsync<ProxyControlException>(() => client.GetProxiesAsync());

        Assert.Contains($"larger than {ProxyControlClient.MaxResponseBytes} bytes", error.Message);
        await serving.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
