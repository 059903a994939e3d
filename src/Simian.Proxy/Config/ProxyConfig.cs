using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Simian.Proxy;

/// <summary>The proxies to create at startup, read from YAML: <c>proxies: [{name, listen, upstream}]</c>.</summary>
public sealed class ProxyConfig
{
    private static readonly string[] ProxyKeys = ["name", "listen", "upstream"];

    private ProxyConfig(IReadOnlyList<ProxyDefinition> proxies)
    {
        Proxies = proxies;
    }

    public IReadOnlyList<ProxyDefinition> Proxies { get; }

    /// <summary>Reads and validates the file; throws ProxyConfigException listing every problem with its line and column.</summary>
    public static ProxyConfig Load(string path)
    {
        string text;
        try
        {
            text = Simian.Shared.BoundedRead.Text(path, 1024 * 1024, "proxy config");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ProxyConfigException([new ProxyConfigError(path, 1, 1, $"cannot read the file: {e.Message}")], e);
        }

        return Parse(text, path);
    }

    /// <summary>Parses YAML text; <paramref name="path"/> is only used to label errors.</summary>
    public static ProxyConfig Parse(string yaml, string path)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ProxyConfigException([new ProxyConfigError(path, (int)e.Start.Line, (int)e.Start.Column, FirstLine(e.Message))], e);
        }

        var errors = new List<ProxyConfigError>();
        var proxies = new List<ProxyDefinition>();
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            YamlNode? node = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
            errors.Add(ErrorAt(path, node, "expected a mapping with a 'proxies' list"));
            throw new ProxyConfigException(errors);
        }

        foreach (var (key, value) in root.Children)
        {
            string name = ((key as YamlScalarNode)?.Value) ?? "";
            if (name != "proxies")
            {
                errors.Add(ErrorAt(path, key, $"unknown key '{name}'; known keys: proxies"));
                continue;
            }

            if (value is not YamlSequenceNode list)
            {
                // "proxies:" with nothing after it is an empty list, not a mistake worth failing for.
                if (value is not YamlScalarNode { Value: null or "" })
                {
                    errors.Add(ErrorAt(path, value, "'proxies' must be a list"));
                }

                continue;
            }

            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (YamlNode item in list)
            {
                ReadProxy(path, item, names, proxies, errors);
            }
        }

        if (!root.Children.ContainsKey(new YamlScalarNode("proxies")))
        {
            errors.Add(ErrorAt(path, root, "missing key 'proxies'"));
        }

        if (errors.Count > 0)
        {
            throw new ProxyConfigException(errors);
        }

        return new ProxyConfig(proxies);
    }

    private static void ReadProxy(string path, YamlNode item, HashSet<string> names, List<ProxyDefinition> proxies, List<ProxyConfigError> errors)
    {
        if (item is not YamlMappingNode entry)
        {
            errors.Add(ErrorAt(path, item, "each proxy must be a mapping with name, listen and upstream"));
            return;
        }

        var values = new Dictionary<string, YamlScalarNode>(StringComparer.Ordinal);
        foreach (var (key, value) in entry.Children)
        {
            string name = ((key as YamlScalarNode)?.Value) ?? "";
            if (!ProxyKeys.Contains(name))
            {
                errors.Add(ErrorAt(path, key, $"unknown key '{name}'; known keys: {string.Join(", ", ProxyKeys)}"));
            }
            else if (value is not YamlScalarNode scalar || string.IsNullOrEmpty(scalar.Value))
            {
                errors.Add(ErrorAt(path, value, $"'{name}' must be a non-empty string"));
            }
            else
            {
                values[name] = scalar;
            }
        }

        foreach (string key in ProxyKeys)
        {
            if (!values.ContainsKey(key) && !entry.Children.ContainsKey(new YamlScalarNode(key)))
            {
                errors.Add(ErrorAt(path, entry, $"proxy is missing '{key}'"));
            }
        }

        if (values.TryGetValue("name", out YamlScalarNode? nameNode))
        {
            if (!ProxyNames.TryValidate(nameNode.Value, "proxy", out string error))
            {
                errors.Add(ErrorAt(path, nameNode, error));
            }
            else if (!names.Add(nameNode.Value!))
            {
                errors.Add(ErrorAt(path, nameNode, $"proxy '{nameNode.Value}' is defined more than once"));
            }
        }

        if (values.TryGetValue("listen", out YamlScalarNode? listenNode)
            && !HostPort.TryParseListen(listenNode.Value, out _, out string listenError))
        {
            errors.Add(ErrorAt(path, listenNode, listenError));
        }

        if (values.TryGetValue("upstream", out YamlScalarNode? upstreamNode)
            && !HostPort.TryParseUpstream(upstreamNode.Value, out _, out _, out string upstreamError))
        {
            errors.Add(ErrorAt(path, upstreamNode, upstreamError));
        }

        // A proxy with problems is still reported above but never returned: any error fails the whole load.
        if (nameNode is not null && listenNode is not null && upstreamNode is not null)
        {
            proxies.Add(new ProxyDefinition(nameNode.Value!, listenNode.Value!, upstreamNode.Value!));
        }
    }

    private static ProxyConfigError ErrorAt(string path, YamlNode? node, string message) =>
        node is null
            ? new ProxyConfigError(path, 1, 1, message)
            : new ProxyConfigError(path, (int)node.Start.Line, (int)node.Start.Column, message);

    // YamlDotNet prefixes its messages with the position, which the error already carries.
    private static string FirstLine(string message)
    {
        int close = message.IndexOf("): ", StringComparison.Ordinal);
        return close >= 0 && message.StartsWith('(') ? message[(close + 3)..] : message;
    }
}
