using Simian.Core.Diagnostics;
using Simian.Core.Yaml;
using Simian.Proxy;

namespace Simian.Local.Proxies;

/// <summary>Reads <c>providers.local.proxies</c>.</summary>
public static class ProxyDefinitions
{
    private static readonly string[] Keys = ["name", "listen", "upstream"];

    public static IReadOnlyList<ProxyDefinition> Read(YSequence? sequence, DiagnosticBag diagnostics)
    {
        var list = new List<ProxyDefinition>();
        if (sequence is null) return list;
        foreach (var item in sequence.Items)
        {
            var r = MapReader.Of(item, diagnostics, "proxy", Keys);
            if (r is null) continue;
            var name = r.String("name", required: true);
            var listen = r.String("listen", required: true);
            var upstream = r.String("upstream", required: true);
            if (name is null || listen is null || upstream is null) continue;
            if (!HostPort.TryParseListen(listen, out var endPoint, out var error))
            {
                diagnostics.Error(r.Raw("listen")!.Location, $"listen: {error}");
                continue;
            }
            if (!System.Net.IPAddress.IsLoopback(endPoint.Address))
            {
                diagnostics.Error(r.Raw("listen")!.Location, "listen must be a loopback address such as 127.0.0.1:18081");
            }
            if (!HostPort.TryParseUpstream(upstream, out _, out _, out var upstreamError))
            {
                diagnostics.Error(r.Raw("upstream")!.Location, $"upstream: {upstreamError}");
                continue;
            }
            list.Add(new ProxyDefinition(name, listen, upstream));
        }
        return list;
    }
}
