using System.Net;
using Simian.Core.Diagnostics;
using Simian.Core.Profiles;
using Simian.Core.Providers;
using Simian.Core.Running;
using Simian.Core.Yaml;
using Simian.Local.Processes;
using Simian.Local.Proxies;
using Simian.Local.Services;
using Simian.Proxy;

namespace Simian.Local;

/// <summary>
/// The <c>local</c> provider: processes on this machine and named proxies on a <c>simian proxy serve</c>
/// server (or one embedded in the run). Settings: <c>proxyControl</c>, <c>faultTtl</c>, <c>proxies</c>, <c>services</c>.
/// </summary>
public sealed class LocalProvider : IProvider, IProviderLifecycle
{
    public const string DefaultControl = "http://127.0.0.1:8474";
    public const string Embedded = "embedded";

    private static readonly string[] Keys = ["proxyControl", "proxyToken", "faultTtl", "proxies", "services"];
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly string _simianCommand;
    private readonly Func<string, string?> _env;

    public LocalProvider(HttpClient http, TimeProvider time, string simianCommand, Func<string, string?>? env = null)
    {
        _http = http;
        _time = time;
        _simianCommand = simianCommand;
        _env = env ?? (_ => null);
        TargetTypes = [new ProcessTargetType(), new ProxyTargetType(this)];
    }

    public string Name => "local";

    public IReadOnlyCollection<string> SettingKeys => Keys;

    public IReadOnlyList<ITargetType> TargetTypes { get; }

    public void ValidateSettings(ProviderSettings settings, DiagnosticBag diagnostics)
    {
        if (settings.Node is null) return;
        var r = new MapReader(settings.Node, diagnostics, "providers.local", Keys);
        var control = r.String("proxyControl");
        if (control is not null && control != Embedded)
        {
            if (!Uri.TryCreate(control, UriKind.Absolute, out var uri) || uri.Scheme != "http")
            {
                diagnostics.Error(r.Raw("proxyControl")!.Location, $"proxyControl must be '{Embedded}' or an http:// URL, not '{Redaction.Url(control)}'");
            }
            else if (!IsLoopback(uri.Host))
            {
                diagnostics.Error(r.Raw("proxyControl")!.Location, $"proxyControl must be on loopback (127.0.0.1, ::1 or localhost), not '{uri.Host}'");
            }
        }
        // The proxy refuses a longer TTL when the fault is applied; say so now, where the profile says it.
        // Where the token is, never the token: a profile is shared, reviewed and committed.
        if (r.String("proxyToken") is { } token && !ProxyToken.IsSource(token))
        {
            diagnostics.Error(r.Raw("proxyToken")!.Location, "proxyToken names where the token is — env:NAME or file:PATH — never the token itself");
        }
        r.Duration("faultTtl", min: TimeSpan.FromSeconds(1), max: TimeSpan.FromMilliseconds(ProxyServer.MaxTtlMs));
        ProxyDefinitions.Read(r.Sequence("proxies"), diagnostics);
        ServiceDefinitions.Read(r.Sequence("services"), diagnostics);
    }

    /// <summary>Time-to-live for every toxic: if simian dies, the proxy heals itself this long after the last keep-alive.</summary>
    public static TimeSpan FaultTtl(IReadOnlyDictionary<string, string> settings) =>
        settings.TryGetValue("faultTtl", out var text) && Duration.TryParse(text, out var ttl, out _) ? ttl : TimeSpan.FromSeconds(15);

    /// <summary>
    /// The control API for these settings, or null when the proxy is embedded and <paramref name="session"/> is not
    /// the run that embeds it (a plan, or recover after the run is gone, when the proxy is gone too).
    /// </summary>
    internal ProxyControlClient? Client(IReadOnlyDictionary<string, string> settings, object? session)
    {
        var control = settings.GetValueOrDefault("proxyControl") ?? DefaultControl;
        if (control == Embedded)
        {
            return session is Scope { EmbeddedControl: { } live } scope ? new ProxyControlClient(_http, live, token: scope.EmbeddedToken) : null;
        }
        var token = settings.GetValueOrDefault("proxyToken") is { } source ? ProxyToken.Resolve(source, _env) : null;
        return new ProxyControlClient(_http, new Uri(control), token: token);
    }

    internal static bool IsEmbedded(IReadOnlyDictionary<string, string> settings) => settings.GetValueOrDefault("proxyControl") == Embedded;

    public IReadOnlyList<(string TargetType, IFault Fault)> HelperFaults { get; } = [(ServiceFault.TargetType, new ServiceFault())];

    public IReadOnlyList<HelperPlan> Describe(ProviderSettings settings)
    {
        var services = ServiceDefinitions.Read(settings.Node?.Get("services") as YSequence, new DiagnosticBag());
        return services.Select(s => new HelperPlan(Name, s.Name, Redaction.Text(s.Run),
            (s.Ready is null ? "" : $"ready when {Redaction.Url(s.Ready)} answers; ") +
            "started only after approval, so processes it starts cannot be in this plan's targets")).ToList();
    }

    public async Task<IAsyncDisposable> StartAsync(ProviderSettings settings, RunHelpers run, CancellationToken cancellationToken)
    {
        var observer = run.Observer;
        var diagnostics = new DiagnosticBag();
        var proxies = ProxyDefinitions.Read(settings.Node?.Get("proxies") as YSequence, diagnostics);
        var services = ServiceDefinitions.Read(settings.Node?.Get("services") as YSequence, diagnostics);
        var scope = new Scope();
        try
        {
            foreach (var service in services)
            {
                var command = Redaction.Text(service.Run);
                observer.Phase($"starting service '{service.Name}': {command}");
                // Journaled before it starts, with the marker that finds its processes: rollback and recover stop it.
                var resource = new Resource { Id = service.Name, Label = command };
                var seq = run.Journal.Intent(ServiceFault.TargetType, HelperFaults[0].Fault, resource, ServiceFault.UndoRecord(run.RunId, service.Name), $"run `{command}`");
                var started = ServiceProcess.StartAsync(service, _simianCommand, ServiceFault.Marker(run.RunId, service.Name), _http, _time, cancellationToken);
                try
                {
                    scope.Services.Add(await started.ConfigureAwait(false));
                }
                finally
                {
                    run.Journal.Applied(seq);
                }
            }
            if (IsEmbedded(settings.Values))
            {
                scope.Server = new ProxyServer(_time, new Random(Environment.ProcessId));
                // Only this run talks to its embedded proxy: a fresh token keeps other local users and web pages out.
                scope.EmbeddedToken = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
                scope.Control = new ProxyControlServer(scope.Server, "127.0.0.1:0", token: scope.EmbeddedToken);
                scope.EmbeddedControl = scope.Control.Start();
                observer.Phase($"embedded fault proxy control API on {scope.EmbeddedControl}");
            }
            if (proxies.Count > 0)
            {
                var client = Client(settings.Values, scope)!;
                var existing = (await client.GetProxiesAsync(cancellationToken).ConfigureAwait(false)).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
                foreach (var p in proxies.Where(p => !existing.Contains(p.Name)))
                {
                    var info = await client.CreateProxyAsync(p.Name, p.Listen, p.Upstream, cancellationToken).ConfigureAwait(false);
                    observer.Phase($"proxy '{info.Name}': {info.Listen} -> {info.Upstream}");
                    if (!IsEmbedded(settings.Values)) scope.Created.Add((client, p.Name));
                }
            }
            return scope;
        }
        catch
        {
            await scope.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    internal static bool IsLoopback(string host) =>
        host is "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>One run's session: its services, the proxies it created, its embedded proxy and that proxy's address and token.</summary>
    private sealed class Scope : IAsyncDisposable
    {
        public List<ServiceProcess> Services { get; } = [];
        public Uri? EmbeddedControl { get; set; }
        public string? EmbeddedToken { get; set; }
        public List<(ProxyControlClient Client, string Name)> Created { get; } = [];
        public ProxyServer? Server { get; set; }
        public ProxyControlServer? Control { get; set; }

        public async ValueTask DisposeAsync()
        {
            foreach (var (client, name) in Created)
            {
                try { await client.RemoveProxyAsync(name).ConfigureAwait(false); }
                catch (Exception e) when (e is ProxyControlException or HttpRequestException) { }
            }
            if (Control is not null) await Control.DisposeAsync().ConfigureAwait(false);
            if (Server is not null) await Server.DisposeAsync().ConfigureAwait(false);
            EmbeddedControl = null;
            for (var i = Services.Count - 1; i >= 0; i--) await Services[i].DisposeAsync().ConfigureAwait(false);
        }
    }
}
