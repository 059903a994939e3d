using Simian.Core.Diagnostics;
using Simian.Core.Yaml;

namespace Simian.Local.Services;

/// <summary>A helper process the run starts first and stops last (a demo service, a local stack).</summary>
public sealed record ServiceDefinition(string Name, string Run, string? Ready, TimeSpan ReadyTimeout);

/// <summary>Reads <c>providers.local.services</c>.</summary>
public static class ServiceDefinitions
{
    private static readonly string[] Keys = ["name", "run", "ready", "readyTimeout"];

    public static IReadOnlyList<ServiceDefinition> Read(YSequence? sequence, DiagnosticBag diagnostics)
    {
        var list = new List<ServiceDefinition>();
        if (sequence is null) return list;
        foreach (var item in sequence.Items)
        {
            var r = MapReader.Of(item, diagnostics, "service", Keys);
            if (r is null) continue;
            var name = r.String("name", required: true);
            var run = r.String("run", required: true);
            var ready = r.String("ready");
            if (ready is not null && !(Uri.TryCreate(ready, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "tcp" && LocalProvider.IsLoopback(uri.Host)))
            {
                diagnostics.Error(r.Raw("ready")!.Location, "ready must be an http:// or tcp:// URL on loopback, e.g. http://127.0.0.1:18080/health");
            }
            var timeout = r.Duration("readyTimeout", min: TimeSpan.FromMilliseconds(100)) ?? TimeSpan.FromSeconds(15);
            if (name is not null && run is not null) list.Add(new ServiceDefinition(name, run, ready, timeout));
        }
        return list;
    }
}
