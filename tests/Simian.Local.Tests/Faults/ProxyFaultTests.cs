using Simian.Core.Diagnostics;
using Simian.Core.Providers;
using Simian.Core.Running;
using Simian.Local.Faults;
using Simian.Local.Proxies;
using Simian.Proxy;

namespace Simian.Local.Tests.Faults;

/// <summary>Proxy faults against a real fault proxy and control API on loopback.</summary>
public sealed class ProxyFaultTests : IAsyncLifetime
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false });
    private ProxyServer _server = null!;
    private ProxyControlServer _control = null!;
    private LocalProvider _provider = null!;
    private Simian.Core.Profiles.ProviderSettings _settings = null!;

    public async Task InitializeAsync()
    {
        _server = new ProxyServer(TimeProvider.System, new Random(1));
        _server.CreateProxy("db", "127.0.0.1:0", "127.0.0.1:9");
        _control = new ProxyControlServer(_server, "127.0.0.1:0");
        var url = _control.Start();
        _provider = new LocalProvider(Http, TimeProvider.System, "simian");
        _settings = Yaml.Settings("local", $"{{proxyControl: '{url.ToString().TrimEnd('/')}', faultTtl: 30s}}");
        await Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _control.DisposeAsync();
        await _server.DisposeAsync();
    }

    private Resource Db => new() { Id = "db" };

    private IFault Fault(string name) => _provider.TargetTypes.Single(t => t.Name == "local:proxy").Faults.Single(f => f.Name == name);

    [Fact]
    public async Task Latency_adds_a_toxic_with_a_ttl_and_undo_removes_it_once()
    {
        var fault = Fault("latency");
        var ctx = Yaml.Context(Db, "{delay: 300ms, jitter: 50ms, direction: upstream}", _settings);
        var undo = await fault.CaptureAsync(ctx, default);
        await fault.ApplyAsync(ctx, undo, default);
        var toxic = Assert.Single(_server.GetToxics("db"));
        Assert.Equal("latency", toxic.Type);
        Assert.Equal(ToxicStream.Upstream, toxic.Stream);
        Assert.Equal(300, toxic.Attributes["delayMs"]);
        Assert.Equal(50, toxic.Attributes["jitterMs"]);
        Assert.Equal(30_000, toxic.TtlMs);
        Assert.StartsWith("simian-run1-step", toxic.Name);

        Assert.Equal(UndoOutcome.Restored, await fault.UndoAsync(Yaml.Undo(ctx, undo), default));
        Assert.Empty(_server.GetToxics("db"));
        Assert.Equal(UndoOutcome.NothingToUndo, await fault.UndoAsync(Yaml.Undo(ctx, undo), default));
    }

    [Theory]
    [InlineData("blackhole", "{}")]
    [InlineData("reset", "{}")]
    [InlineData("bandwidth", "{bytesPerSecond: 1024}")]
    public async Task Each_proxy_fault_applies_its_toxic_type(string name, string parameters)
    {
        var fault = Fault(name);
        var ctx = Yaml.Context(Db, parameters, _settings);
        var undo = await fault.CaptureAsync(ctx, default);
        await fault.ApplyAsync(ctx, undo, default);
        Assert.Equal(name, Assert.Single(_server.GetToxics("db")).Type);
        Assert.Equal(UndoOutcome.Restored, await fault.UndoAsync(Yaml.Undo(ctx, undo), default));
    }

    [Fact]
    public async Task Keep_alive_pushes_the_expiry_forward()
    {
        var fault = Fault("latency");
        var ctx = Yaml.Context(Db, "{delay: 10ms}", _settings);
        var undo = await fault.CaptureAsync(ctx, default);
        await fault.ApplyAsync(ctx, undo, default);
        var first = Assert.Single(_server.GetToxics("db")).ExpiresAt;
        // A renewal now would set the same expiry: wait until the clock has moved on (faultTtl is 30 s).
        await Wait.UntilAsync(() => TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(30) > first, TimeSpan.FromSeconds(10), "the clock to move");
        await ((IKeepAliveFault)fault).KeepAliveAsync(ctx, undo, default);
        Assert.True(Assert.Single(_server.GetToxics("db")).ExpiresAt > first);
        Assert.Equal(TimeSpan.FromSeconds(10), ((IKeepAliveFault)fault).KeepAliveInterval(ctx));
    }

    [Fact]
    public async Task Undo_against_an_unreachable_proxy_fails_and_says_the_ttl_will_heal_it()
    {
        var fault = Fault("latency");
        var dead = Yaml.Settings("local", "{proxyControl: 'http://127.0.0.1:9', faultTtl: 20s}");
        var ctx = Yaml.Context(Db, "{delay: 10ms}", dead);
        var undo = await fault.CaptureAsync(ctx, default);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => fault.UndoAsync(Yaml.Undo(ctx, undo), default));
        Assert.Contains("lapses by itself at most 20s", e.Message);
    }

    [Fact]
    public async Task An_embedded_proxy_that_is_gone_has_nothing_left_to_undo()
    {
        var fault = Fault("latency");
        var embedded = Yaml.Settings("local", "{proxyControl: embedded}");
        var ctx = Yaml.Context(Db, "{delay: 10ms}", embedded);
        var undo = await fault.CaptureAsync(ctx, default);
        Assert.Equal(UndoOutcome.NothingToUndo, await fault.UndoAsync(Yaml.Undo(ctx, undo), default));
    }

    [Fact]
    public async Task Targets_include_live_proxies_and_those_the_profile_will_create()
    {
        var settings = Yaml.Settings("local", $"{{proxyControl: '{_settings.Values["proxyControl"]}', proxies: [{{name: later, listen: '127.0.0.1:29999', upstream: '127.0.0.1:9'}}]}}");
        var type = _provider.TargetTypes.Single(t => t.Name == "local:proxy");
        var found = await type.ResolveAsync(Yaml.Target("local:proxy", "{names: [db, later, absent]}"), settings, default);
        Assert.Equal(["db", "later"], found.Select(r => r.Id).Order());
    }

    [Fact]
    public async Task Starting_the_local_provider_embeds_a_proxy_creates_proxies_and_stops_them_after()
    {
        var settings = Yaml.Settings("local", "{proxyControl: embedded, proxies: [{name: emb, listen: '127.0.0.1:0', upstream: '127.0.0.1:9'}]}");
        var type = _provider.TargetTypes.Single(t => t.Name == "local:proxy");
        var session = await _provider.StartAsync(settings, new RunHelpers("test", NullRunObserver.Instance, NoHelperJournal.Instance), default);
        await using (session)
        {
            // The run's session carries its embedded proxy; the provider object itself holds no run's state.
            var found = await type.ResolveAsync(Yaml.Target("local:proxy", "{names: [emb]}"), settings with { Session = session }, default);
            Assert.Matches(@"^127\.0\.0\.1:\d+ -> 127\.0\.0\.1:9$", Assert.Single(found).Label);
            Assert.DoesNotContain(":0 ", found[0].Label);
            Assert.NotNull(_provider.Client(settings.Values, session));
            Assert.Null(_provider.Client(settings.Values, session: null));
        }
        Assert.Null(_provider.Client(settings.Values, session));
    }

    [Fact]
    public void Proxy_settings_and_params_are_validated_with_locations()
    {
        var d = new DiagnosticBag();
        _provider.ValidateSettings(Yaml.Settings("local", "{proxyControl: 'http://10.1.2.3:8474', proxies: [{name: x, listen: '0.0.0.0:1', upstream: 'nowhere'}], faultTtl: 1}"), d);
        Assert.Contains(d.Items, x => x.Message.Contains("must be on loopback"));
        Assert.Contains(d.Items, x => x.Message.Contains("listen must be a loopback address"));
        Assert.Contains(d.Items, x => x.Message.Contains("upstream"));
        Assert.Contains(d.Items, x => x.Message.Contains("faultTtl"));
        var p = new DiagnosticBag();
        Fault("latency").ValidateParams(Yaml.Map("{jitter: 5ms, direction: sideways}"), p);
        Assert.Contains(p.Items, x => x.Message.Contains("missing required key 'delay'"));
        Assert.Contains(p.Items, x => x.Message.Contains("sideways"));
    }
}
