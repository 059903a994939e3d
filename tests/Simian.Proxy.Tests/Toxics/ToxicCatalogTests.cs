namespace Simian.Proxy.Tests;

public sealed class ToxicCatalogTests
{
    [Fact]
    public async Task An_unknown_type_is_invalid_and_the_message_lists_the_known_types()
    {
        await using var harness = ProxyHarness.Start(Upstreams.Echo);

        var error = Assert.Throws<ProxyException>(() => harness.AddToxic("x", "slow_close"));

        Assert.Equal(ProxyErrorKind.Invalid, error.Kind);
        Assert.Equal("unknown toxic type 'slow_close'; known types: bandwidth, blackhole, latency, reset", error.Message);
    }

    [Fact]
    public async Task A_misspelt_attribute_is_invalid_and_the_message_lists_the_known_ones()
    {
        await using var harness = ProxyHarness.Start(Upstreams.Echo);

        var error = Assert.Throws<ProxyException>(() => harness.AddToxic("x", "latency", attributes: new() { ["delayMs"] = 5, ["jitter"] = 1 }));

        Assert.Equal("latency toxic has no attribute 'jitter'; known attributes: delayMs, jitterMs", error.Message);
    }

    [Fact]
    public async Task A_missing_required_attribute_is_named()
    {
        await using var harness = ProxyHarness.Start(Upstreams.Echo);

        var error = Assert.Throws<ProxyException>(() => harness.AddToxic("x", "latency"));

        Assert.Equal("latency toxic needs attribute 'delayMs'", error.Message);
    }

    [Fact]
    public async Task Resolved_attributes_include_defaults()
    {
        await using var harness = ProxyHarness.Start(Upstreams.Echo);

        ToxicInfo toxic = harness.AddToxic("x", "latency", attributes: new() { ["delayMs"] = 5 });

        Assert.Equal(new Dictionary<string, double> { ["delayMs"] = 5, ["jitterMs"] = 0 }, toxic.Attributes);
    }
}
