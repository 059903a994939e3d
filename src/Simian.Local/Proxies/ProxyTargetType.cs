using Simian.Core.Diagnostics;
using Simian.Core.Profiles;
using Simian.Core.Providers;
using Simian.Core.Yaml;
using Simian.Local.Faults;
using Simian.Proxy;

namespace Simian.Local.Proxies;

/// <summary><c>local:proxy</c>: named proxies on the fault proxy, selected by name.</summary>
public sealed class ProxyTargetType(LocalProvider provider) : ITargetType
{
    private static readonly string[] Keys = ["names"];

    public IReadOnlyList<string> SelectorKeys => Keys;

    public string Name => "local:proxy";

    /// <summary>On this machine: no region, account or tags.</summary>
    public TargetTraits Traits => TargetTraits.Local;

    public IReadOnlyList<IFault> Faults { get; } =
    [
        new LatencyFault(provider), new BlackholeFault(provider), new ResetFault(provider), new BandwidthFault(provider),
    ];

    public void ValidateSelector(YMapping selector, DiagnosticBag diagnostics)
    {
        var r = new MapReader(selector, diagnostics, "local:proxy selector", Keys);
        var names = r.StringList("names", required: true);
        if (names is { Count: 0 }) diagnostics.Error(r.LocationOf("names"), "names must list at least one proxy");
    }

    public async Task<IReadOnlyList<Resource>> ResolveAsync(TargetSpec target, ProviderSettings settings, CancellationToken cancellationToken)
    {
        var names = ((target.Selector.Get("names") as YSequence)?.Items ?? []).OfType<YScalar>().Select(s => s.Value).ToHashSet(StringComparer.Ordinal);
        // Proxies the profile defines are created by the run if missing, so a plan counts them as present;
        // an embedded proxy exists only during a run, so its plan comes from the definitions alone.
        var defined = ProxyDefinitions.Read(settings.Node?.Get("proxies") as YSequence, new DiagnosticBag())
            .Select(p => new ProxyInfo(p.Name, p.Listen, p.Upstream, [])).ToList();
        var client = provider.Client(settings.Values, settings.Session);
        var live = client is null ? [] : await client.GetProxiesAsync(cancellationToken).ConfigureAwait(false);
        var proxies = live.Concat(defined.Where(d => live.All(l => l.Name != d.Name)));
        var control = settings.Values.GetValueOrDefault("proxyControl") ?? LocalProvider.DefaultControl;
        return proxies.Where(p => names.Contains(p.Name)).Select(p => new Resource
        {
            // A proxy name is unique on its server; an embedded server's proxies are known by where they listen.
            Scope = control == LocalProvider.Embedded ? $"embedded@{p.Listen}" : control,
            Id = p.Name,
            Label = $"{p.Listen} -> {p.Upstream}",
            Attributes = new Dictionary<string, string> { ["listen"] = p.Listen, ["upstream"] = p.Upstream },
        }).ToList();
    }
}
