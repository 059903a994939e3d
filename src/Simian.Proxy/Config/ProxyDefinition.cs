namespace Simian.Proxy;

/// <summary>One proxy from a config file, as given to ProxyServer.CreateProxy.</summary>
public sealed record ProxyDefinition(string Name, string Listen, string Upstream);
