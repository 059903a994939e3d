namespace Simian.Sandbox;

/// <summary>
/// A site the fleet serves, for probes to watch: <c>GET /NAME</c> on its port answers 200 while at least
/// <see cref="FleetSiteService.MinHealthy"/> of the service's instances are running and reachable (their subnet's
/// network ACL lets traffic through), and 503 otherwise.
/// </summary>
public sealed class FleetSite
{
    /// <summary>The loopback port; 0 takes a free one (<see cref="SandboxServer.SiteEndpoint"/> says which).</summary>
    public int Port { get; set; }

    public Dictionary<string, FleetSiteService> Services { get; } = new(StringComparer.Ordinal);
}

/// <param name="TagKey">The tag that makes an instance part of the service.</param>
/// <param name="TagValue">Its value.</param>
/// <param name="MinHealthy">How many must be healthy for the service to answer 200.</param>
public sealed record FleetSiteService(string TagKey, string TagValue, int MinHealthy);
