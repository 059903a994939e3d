using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Simian.Proxy.Tests;

public sealed class ProxyControlServerTests
{
    [Theory]
    [InlineData("0.0.0.0:8474")]
    [InlineData("10.1.2.3:0")]
    [InlineData("[::]:0")]
    [InlineData("example.com:8474")]
    [InlineData("http://192.168.1.1:8474/")]
    public async Task A_non_loopback_address_is_refused(string address)
    {
        await using var server = new ProxyServer(TimeProvider.System, new Random(1));

        var error = Assert.Throws<ArgumentException>(() => new ProxyControlServer(server, address));

        Assert.Contains("loopback", error.Message);
    }

    [Theory]
    [InlineData("127.0.0.1:0")]
    [InlineData("localhost:0")]
    [InlineData("http://127.0.0.1:0/")]
    public async Task Loopback_addresses_are_served(string address)
    {
        await using var server = new ProxyServer(TimeProvider.System, new Random(1));
        await using var control = new ProxyControlServer(server, address);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        Uri baseAddress = control.Start();

        Assert.Equal("127.0.0.1", baseAddress.Host);
        Assert.Equal("ok", await new ProxyControlClient(http, baseAddress).GetHealthAsync());
    }

    [Fact]
    public async Task Urls_may_name_localhost_instead_of_the_bound_address()
    {
        await using var harness = ControlHarness.Start();
        var byName = new UriBuilder(harness.Control.BaseAddress!) { Host = "localhost" }.Uri;

        Assert.Equal("ok", await new ProxyControlClient(harness.Http, byName).GetHealthAsync());
    }

    [Fact]
    public async Task A_port_already_in_use_is_a_conflict()
    {
        await using var harness = ControlHarness.Start();
        await using var second = new ProxyControlServer(harness.Server, $"127.0.0.1:{harness.Control.BaseAddress!.Port}");

        var error = Assert.Throws<ProxyException>(() => second.Start());

        Assert.Equal(ProxyErrorKind.Conflict, error.Kind);
    }

    [Fact]
    public async Task Responses_use_camel_case_names_string_streams_and_utc_timestamps()
    {
        await using var harness = ControlHarness.Start();
        await harness.Client.CreateProxyAsync("db", "127.0.0.1:0", harness.Upstream.Address);

        using HttpResponseMessage created = await PostAsync(harness, "proxies/db/toxics", """{"name":"slow","type":"latency","ttlMs":5000,"attributes":{"delayMs":100}}""");
        JsonNode toxic = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        JsonNode list = JsonNode.Parse(await harness.Http.GetStringAsync(new Uri(harness.Control.BaseAddress!, "proxies")))!;

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("application/json; charset=utf-8", created.Content.Headers.ContentType!.ToString());
        Assert.Equal("downstream", (string?)toxic["stream"]);
        Assert.Equal(5000, (long?)toxic["ttlMs"]);
        Assert.Equal(100, (double?)toxic["attributes"]!["delayMs"]);
        Assert.EndsWith("Z", (string?)toxic["expiresAt"]);
        Assert.Equal("slow", (string?)list["proxies"]![0]!["toxics"]![0]!["name"]);
        Assert.Equal(harness.Upstream.Address, (string?)list["proxies"]![0]!["upstream"]);
    }

    [Fact]
    public async Task Health_is_a_json_status()
    {
        await using var harness = ControlHarness.Start();

        string body = await harness.Http.GetStringAsync(new Uri(harness.Control.BaseAddress!, "health"));

        Assert.Equal("""{"status":"ok"}""", body);
    }

    [Theory]
    [InlineData("proxies", "{not json")]
    [InlineData("proxies", "")]
    [InlineData("proxies", """{"name":"x","listen":42}""")]
    [InlineData("proxies/db/toxics", """{"name":"x","type":"latency","attributes":{"delayMs":1}}""")]
    [InlineData("proxies/db/toxics", """{"name":"x","type":"latency","ttlMs":1000,"stream":"sideways","attributes":{"delayMs":1}}""")]
    [InlineData("proxies/db/toxics", """{"name":"x","type":"latency","ttlMs":1000,"attributes":{"delayMs":"slow"}}""")]
    [InlineData("proxies/db/toxics", """{"name":"x","ttlMs":1000}""")]
    public async Task Malformed_bodies_are_400_with_a_json_error(string path, string body)
    {
        await using var harness = ControlHarness.Start();
        await harness.Client.CreateProxyAsync("db", "127.0.0.1:0", harness.Upstream.Address);

        using HttpResponseMessage response = await PostAsync(harness, path, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(string.IsNullOrEmpty((string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]));
    }

    [Fact]
    public async Task A_missing_ttl_is_refused_with_the_reason()
    {
        await using var harness = ControlHarness.Start();
        await harness.Client.CreateProxyAsync("db", "127.0.0.1:0", harness.Upstream.Address);

        using HttpResponseMessage response = await PostAsync(harness, "proxies/db/toxics", """{"name":"x","type":"blackhole"}""");

        Assert.Contains("ttlMs is required", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_unknown_path_is_404_and_a_wrong_method_is_405()
    {
        await using var harness = ControlHarness.Start();

        using HttpResponseMessage unknown = await harness.Http.GetAsync(new Uri(harness.Control.BaseAddress!, "nothing/here"));
        using HttpResponseMessage wrongMethod = await harness.Http.DeleteAsync(new Uri(harness.Control.BaseAddress!, "health"));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("error", await unknown.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal("GET", wrongMethod.Content.Headers.Allow.Single());
    }

    [Fact]
    public async Task A_failing_handler_is_a_500_and_the_server_keeps_serving()
    {
        await using var harness = ControlHarness.Start();

        // A disposed ProxyServer makes every proxy handler throw something the API does not expect.
        await harness.Server.DisposeAsync();
        using HttpResponseMessage failed = await harness.Http.GetAsync(new Uri(harness.Control.BaseAddress!, "proxies"));

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Contains("internal error", await failed.Content.ReadAsStringAsync());
        Assert.Equal("ok", await harness.Client.GetHealthAsync());
    }

    [Fact]
    public async Task Disposing_the_control_server_stops_it_answering()
    {
        var harness = ControlHarness.Start();

        await harness.DisposeAsync();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var error = await Assert.ThrowsAsync<ProxyControlException>(() => new ProxyControlClient(http, harness.Control.BaseAddress!).GetHealthAsync());
        Assert.Null(error.StatusCode);
    }

    private static Task<HttpResponseMessage> PostAsync(ControlHarness harness, string path, string body) =>
        harness.Http.PostAsync(new Uri(harness.Control.BaseAddress!, path), new StringContent(body, Encoding.UTF8, "application/json"));
}
